import { mount } from 'svelte';
import { browserLanguage, isUiLanguage, Locale } from '../lib/i18n.svelte.js';
import App from './App.svelte';
import { resolveHostOrigin } from './lib/host.js';
import { widgetDictionaries } from './lib/strings.js';
import './widget.css';

// Query parameters come from the loader: lang (data-language), department, host (embedding
// origin) and page (the embedding page's URL, shown to the agent).
const params = new URLSearchParams(location.search);

/** The host page's URL if it is one the server accepts (http(s), at most 2000 characters). */
function hostPage(value: string | null): string | null {
  if (!value || value.length > 2000) return null;
  try {
    return /^https?:$/.test(new URL(value).protocol) ? value : null;
  } catch {
    return null;
  }
}
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
      page: hostPage(params.get('page')),
    },
  });
}
