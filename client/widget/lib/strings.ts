import { deCommon, enCommon, type CommonKey } from '../../../shared/i18n/common.js';
import { deWidget, enWidget, type WidgetExtraKey, type WidgetKey } from '../../../shared/i18n/widget.js';
import type { WidgetCommunityKey } from '../../../shared/i18n/widgetCommunity.js';
import type { WidgetTicketsKey } from '../../../shared/i18n/widgetTickets.js';
import type { WidgetVoiceKey } from '../../../shared/i18n/widgetVoice.js';
import type { Dictionaries, Locale } from '../../lib/i18n.svelte.js';

/** Only the strings the widget shows: keeps console texts out of the customer-facing bundle. */
export type WidgetStringKey = CommonKey | WidgetKey | WidgetExtraKey | WidgetTicketsKey | WidgetVoiceKey | WidgetCommunityKey;
export type WidgetLocale = Locale<WidgetStringKey>;

/**
 * The extra and ticket keys (views loaded on demand) are added by ./stringsExtra.ts and
 * ./stringsTickets.ts (./stringsVoice.ts for calls) when such a view loads;
 * only those views use them, so the cast is safe.
 */
export const widgetDictionaries = {
  de: { ...deCommon, ...deWidget },
  en: { ...enCommon, ...enWidget },
} as Dictionaries<WidgetStringKey>;
