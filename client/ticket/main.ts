import { mount } from 'svelte';
import { deCommon, enCommon, type CommonKey } from '../../shared/i18n/common.js';
import { deWidgetTickets, enWidgetTickets, type WidgetTicketsKey } from '../../shared/i18n/widgetTickets.js';
import { browserLanguage, Locale, type Dictionaries } from '../lib/i18n.svelte.js';
import App from './App.svelte';
import '../lib/standalone-page.css';

export type TrackLocale = Locale<CommonKey | WidgetTicketsKey>;

/** The tracking page shows only common and ticket strings (it shares the widget's ticket texts). */
const dictionaries: Dictionaries<CommonKey | WidgetTicketsKey> = {
  de: { ...deCommon, ...deWidgetTickets },
  en: { ...enCommon, ...enWidgetTickets },
};

const target = document.getElementById('app');
if (target) mount(App, { target, props: { locale: new Locale(browserLanguage(), dictionaries) } });
