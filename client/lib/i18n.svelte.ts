import type { CommonKey, MessageKey } from '../../shared/i18n/en.js';
import { pickUiLanguage } from '../../shared/i18n/index.js';
import type { UiLanguage } from '../../shared/schemas/common.js';

export type { CommonKey, MessageKey, UiLanguage };
export type Params = Record<string, string | number>;
export type Translate<K extends string = CommonKey> = (key: K, params?: Params) => string;
export type Dictionaries<K extends string> = Record<UiLanguage, Record<K, string>>;

export const UI_LANGUAGES: readonly UiLanguage[] = ['de', 'en'];

export function isUiLanguage(value: unknown): value is UiLanguage {
  return value === 'de' || value === 'en';
}

/** The browser's preferred UI language (German unless the browser prefers English first). */
export function browserLanguage(): UiLanguage {
  const preferred = typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language]);
  return pickUiLanguage(preferred);
}

/** Same placeholder syntax as shared/i18n `translate`: "{name}" is replaced by params.name. */
function interpolate(template: string, params: Params = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}

/**
 * Reactive UI language over a set of dictionaries. The widget passes only the common and
 * widget strings (not shared/i18n `translate`, which would bundle every string), the console
 * passes all of them. `t` reads `lang`, so templates calling `locale.t(...)` re-render on a
 * language change; <html lang> follows for screen readers.
 */
export class Locale<K extends string = CommonKey> {
  lang = $state<UiLanguage>('de');
  readonly #dictionaries: Dictionaries<K>;

  constructor(initial: UiLanguage, dictionaries: Dictionaries<K>) {
    this.#dictionaries = dictionaries;
    this.set(initial);
  }

  t: Translate<K> = (key, params) => interpolate(this.#dictionaries[this.lang][key] ?? key, params);

  set(lang: UiLanguage): void {
    this.lang = lang;
    if (typeof document !== 'undefined') document.documentElement.lang = lang;
  }
}
