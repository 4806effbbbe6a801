/**
 * Talking to the page that embeds us. The loader passes the host page's origin as `host`; we
 * never post to '*' because any page could frame the widget.
 */
export interface ResizeMessage {
  type: 'zentrale:resize';
  open: boolean;
}

function originOf(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

export function resolveHostOrigin(params: URLSearchParams, referrer: string): string | null {
  return originOf(params.get('host')) ?? originOf(referrer);
}

export function notifyHost(hostOrigin: string | null, open: boolean): void {
  if (window.parent === window || hostOrigin === null) return;
  const message: ResizeMessage = { type: 'zentrale:resize', open };
  window.parent.postMessage(message, hostOrigin);
}
