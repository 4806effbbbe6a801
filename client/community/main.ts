import { mount } from 'svelte';
import { deCommon, enCommon } from '../../shared/i18n/common.js';
import { deCommunity, enCommunity } from '../../shared/i18n/community.js';
import { browserLanguage, Locale, type Dictionaries } from '../lib/i18n.svelte.js';
import type { CommunityStringKey } from '../lib/community/strings.js';
import App from './App.svelte';
import '../lib/standalone-page.css';

export type CommunityLocale = Locale<CommunityStringKey>;

/** Only common and community strings: no console or widget texts on a customer page. */
const dictionaries: Dictionaries<CommunityStringKey> = {
  de: { ...deCommon, ...deCommunity },
  en: { ...enCommon, ...enCommunity },
};

const target = document.getElementById('app');
if (target) mount(App, { target, props: { locale: new Locale(browserLanguage(), dictionaries) } });
