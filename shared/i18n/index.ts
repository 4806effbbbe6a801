import type { UiLanguage } from '../schemas/common.js';
import { de } from './de.js';
import { en, type MessageKey } from './en.js';

export type { MessageKey };
export const dictionaries: Record<UiLanguage, Record<MessageKey, string>> = { de, en };

/** Picks the UI language from a list of preferred languages (e.g. navigator.languages). */
export function pickUiLanguage(preferred: readonly string[], fallback: UiLanguage = 'de'): UiLanguage {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    if (base === 'de' || base === 'en') return base;
  }
  return fallback;
}

export function translate(lang: UiLanguage, key: MessageKey, params: Record<string, string | number> = {}): string {
  const template = dictionaries[lang][key] ?? en[key];
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}
