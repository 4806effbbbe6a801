import { deWidgetCommunity, enWidgetCommunity } from '../../../shared/i18n/widgetCommunity.js';
import { widgetDictionaries } from './strings.js';

/** Imported (statically) only by the pre-chat form, which loads on demand: the community link. */
Object.assign(widgetDictionaries.de, deWidgetCommunity);
Object.assign(widgetDictionaries.en, enWidgetCommunity);
