import { deCommon, deWidget } from '../../../shared/i18n/de.js';
import { enCommon, enWidget, type CommonKey, type WidgetKey } from '../../../shared/i18n/en.js';
import type { Dictionaries, Locale } from '../../lib/i18n.svelte.js';

/** Only the strings the widget shows: keeps console texts out of the customer-facing bundle. */
export type WidgetStringKey = CommonKey | WidgetKey;
export type WidgetLocale = Locale<WidgetStringKey>;

export const widgetDictionaries: Dictionaries<WidgetStringKey> = {
  de: { ...deCommon, ...deWidget },
  en: { ...enCommon, ...enWidget },
};
