import { mount } from 'svelte';
import { Locale } from '../lib/i18n.svelte.js';
import App from './App.svelte';
import { initialLanguage } from './lib/language.js';
import { consoleDictionaries } from './lib/strings.js';
import './console.css';

const target = document.getElementById('app');
if (target) mount(App, { target, props: { locale: new Locale(initialLanguage(), consoleDictionaries) } });
