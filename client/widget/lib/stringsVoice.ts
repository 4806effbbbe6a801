import { deWidgetVoice, enWidgetVoice } from '../../../shared/i18n/widgetVoice.js';
import { widgetDictionaries } from './strings.js';

/** Imported (statically) only by views loaded on demand that offer calls or voicemail. */
Object.assign(widgetDictionaries.de, deWidgetVoice);
Object.assign(widgetDictionaries.en, enWidgetVoice);
