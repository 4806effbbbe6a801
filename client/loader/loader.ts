/**
 * Embed loader for the zentrale chat widget. A customer page includes
 *   <script src="https://zentrale.example/widget.js" async data-language="de" data-department="2"></script>
 * and this script adds one iframe pointing at `${origin}/widget/`. The iframe isolates the widget
 * from the host page's CSS and scripts; the widget asks us to resize it via postMessage.
 *
 * Kept deliberately tiny and defensive: it must never throw on a customer page.
 */

interface ResizeMessage {
  type: 'zentrale:resize';
  open: boolean;
}

// Sizes match the widget layout: a 60px launcher with margins, and the open panel.
const CLOSED_STYLE = 'width:96px;height:96px';
const OPEN_STYLE = 'width:min(420px,100vw);height:min(720px,100vh)';
const BASE_STYLE =
  'position:fixed;right:0;bottom:0;border:0;margin:0;padding:0;background:transparent;' +
  'z-index:2147483000;max-width:100vw;max-height:100vh;color-scheme:normal;';

function isResizeMessage(data: unknown): data is ResizeMessage {
  return (
    typeof data === 'object' &&
    data !== null &&
    (data as { type?: unknown }).type === 'zentrale:resize' &&
    typeof (data as { open?: unknown }).open === 'boolean'
  );
}

function findScript(): HTMLScriptElement | null {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement) return current;
  // Fallback for browsers without currentScript (or when run from a module/eval).
  const scripts = document.querySelectorAll<HTMLScriptElement>('script[src*="widget.js"]');
  return scripts[scripts.length - 1] ?? null;
}

function mount(script: HTMLScriptElement): void {
  const origin = new URL(script.src, location.href).origin;
  if (document.querySelector('iframe[data-zentrale-widget]')) return; // included twice

  const params = new URLSearchParams();
  const lang = script.getAttribute('data-language');
  const department = script.getAttribute('data-department');
  if (lang) params.set('lang', lang);
  if (department) params.set('department', department);
  params.set('host', location.origin);
  // The page the visitor is on, shown to the agent (the widget ignores anything but http(s)).
  params.set('page', location.href);

  const frame = document.createElement('iframe');
  frame.src = `${origin}/widget/?${params.toString()}`;
  frame.title = script.getAttribute('data-title') || 'Chat';
  frame.setAttribute('data-zentrale-widget', '');
  frame.setAttribute('allowtransparency', 'true');
  frame.setAttribute('allow', 'microphone; autoplay; clipboard-write');
  frame.style.cssText = BASE_STYLE + CLOSED_STYLE;

  window.addEventListener('message', (event) => {
    if (event.origin !== origin || event.source !== frame.contentWindow) return;
    if (!isResizeMessage(event.data)) return;
    frame.style.cssText = BASE_STYLE + (event.data.open ? OPEN_STYLE : CLOSED_STYLE);
  });

  const attach = (): void => {
    document.body.appendChild(frame);
  };
  if (document.body) attach();
  else document.addEventListener('DOMContentLoaded', attach, { once: true });
}

try {
  const script = findScript();
  if (script) mount(script);
} catch (error) {
  // Never break the host page; leave a trace for whoever debugs the integration.
  if (typeof console !== 'undefined') console.warn('[zentrale] widget loader failed', error);
}
