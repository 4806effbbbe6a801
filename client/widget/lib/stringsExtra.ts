import { deWidgetExtra, enWidgetExtra } from '../../../shared/i18n/widget.js';
import { widgetDictionaries } from './strings.js';

/**
 * Imported (statically) only by views the widget loads on demand: adds their strings to the
 * widget's dictionaries before they render.
 */
Object.assign(widgetDictionaries.de, deWidgetExtra);
Object.assign(widgetDictionaries.en, enWidgetExtra);
