import type { UiLanguage } from '../../shared/schemas/common.js';

const LOCALES: Record<UiLanguage, string> = { de: 'de-DE', en: 'en-GB' };

/** "14:05" for today, "12.03., 14:05" for older timestamps. */
export function formatMessageTime(iso: string, lang: UiLanguage, now = new Date()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const sameDay = date.toDateString() === now.toDateString();
  return new Intl.DateTimeFormat(LOCALES[lang], sameDay ? { timeStyle: 'short' } : { dateStyle: 'short', timeStyle: 'short' }).format(date);
}

/** "Mo., 08:00" style for the next opening time of a closed department. */
export function formatOpening(iso: string, lang: UiLanguage): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return new Intl.DateTimeFormat(LOCALES[lang], { weekday: 'short', hour: '2-digit', minute: '2-digit' }).format(date);
}
