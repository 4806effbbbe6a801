import { deWidgetTickets, enWidgetTickets } from '../../../shared/i18n/widgetTickets.js';
import { widgetDictionaries } from './strings.js';

/**
 * Imported (statically) only by the ticket views the widget loads on demand (leave a message,
 * callback, wait choices, the visitor's requests): adds their strings before they render.
 */
Object.assign(widgetDictionaries.de, deWidgetTickets);
Object.assign(widgetDictionaries.en, enWidgetTickets);
