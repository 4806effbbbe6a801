import { browserLanguage, isUiLanguage, type UiLanguage } from '../../lib/i18n.svelte.js';

const STORAGE_KEY = 'zentrale.consoleLanguage';

/** The language the agent picked with the DE/EN switch on this browser, if any. */
export function storedLanguage(): UiLanguage | null {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return isUiLanguage(value) ? value : null;
  } catch {
    return null;
  }
}

export function rememberLanguage(lang: UiLanguage): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Not remembering is fine; the switch still works for this tab.
  }
}

/** Explicit choice on this browser, else the account's language, else the browser's. */
export function initialLanguage(userLanguage?: UiLanguage): UiLanguage {
  return storedLanguage() ?? userLanguage ?? browserLanguage();
}
