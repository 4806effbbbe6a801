import { mount } from 'svelte';
import { browserLanguage, isUiLanguage, Locale } from '../lib/i18n.svelte.js';
import App from './App.svelte';
import { resolveHostOrigin } from './lib/host.js';
import { widgetDictionaries } from './lib/strings.js';
import './widget.css';

// Query parameters come from the loader: lang (data-language), department, host (embedding origin).
const params = new URLSearchParams(location.search);
const requested = params.get('lang');
const locale = new Locale(isUiLanguage(requested) ? requested : browserLanguage(), widgetDictionaries);

const target = document.getElementById('app');
if (target) {
  mount(App, {
    target,
    props: {
      locale,
      origin: location.origin,
      hostOrigin: resolveHostOrigin(params, document.referrer),
      preselectDepartment: params.get('department'),
    },
  });
}
