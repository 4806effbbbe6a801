/**
 * Attachments over REST (loaded on demand, outside the chat core). The visitor token goes in the
 * Authorization header only, never into a URL; files are shown through blob URLs.
 */
import type { Message } from '../../../shared/schemas/chat.js';
import { networkError, type ClientAck, type ClientError } from '../../lib/errors.js';

/** What the server accepts (it checks the content; this only avoids a pointless upload). */
export const ALLOWED_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf'];

const wrongType = (): ClientError => ({ code: 'VALIDATION_FAILED', message: 'unsupported file type', issues: [{ path: 'file', message: 'type' }] });

function parseAck<T>(status: number, text: string): ClientAck<T> {
  try {
    const body = JSON.parse(text) as unknown;
    if (typeof body === 'object' && body !== null && typeof (body as { ok?: unknown }).ok === 'boolean') return body as ClientAck<T>;
  } catch {
    // not JSON (a proxy's error page, say)
  }
  if (status === 413) return { ok: false, error: { code: 'PAYLOAD_TOO_LARGE', message: 'too large' } };
  return { ok: false, error: { code: status === 503 ? 'UNAVAILABLE' : 'INTERNAL', message: `unexpected response (HTTP ${status})` } };
}

/**
 * Uploads one file with progress (XMLHttpRequest: fetch cannot report upload progress). The
 * client id makes a retry idempotent. Never rejects.
 */
export function uploadAttachment(
  origin: string,
  token: string | undefined,
  conversationId: string,
  clientId: string,
  file: File,
  onprogress: (percent: number) => void,
): Promise<ClientAck<{ message: Message; duplicate: boolean }>> {
  if (file.type && !ALLOWED_TYPES.includes(file.type)) return Promise.resolve({ ok: false, error: wrongType() });
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${origin}/api/conversations/${encodeURIComponent(conversationId)}/attachments`);
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.setRequestHeader('X-Filename', encodeURIComponent(file.name || 'file'));
    xhr.setRequestHeader('X-Client-Id', clientId);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onprogress(Math.min(100, Math.round((event.loaded / event.total) * 100)));
    };
    xhr.onload = () => resolve(parseAck(xhr.status, xhr.responseText));
    xhr.onerror = () => resolve({ ok: false, error: networkError() });
    xhr.ontimeout = () => resolve({ ok: false, error: { code: 'TIMEOUT', message: 'no answer in time' } });
    xhr.timeout = 5 * 60_000;
    xhr.send(file);
  });
}

/** Loads an attachment as a Blob (the caller makes and revokes the blob URL). */
export async function fetchAttachment(origin: string, token: string | undefined, id: string): Promise<ClientAck<Blob>> {
  try {
    const response = await fetch(`${origin}/api/attachments/${encodeURIComponent(id)}`, {
      headers: token ? { Authorization: `Bearer ${token}` } : {},
      credentials: 'omit',
    });
    if (!response.ok) return parseAck(response.status, await response.text());
    return { ok: true, data: await response.blob() };
  } catch (error) {
    return { ok: false, error: networkError(error instanceof Error ? error.message : undefined) };
  }
}

/** "820 KB", "2,4 MB" in the UI language. */
export function formatSize(bytes: number, lang: string): string {
  const number = (value: number, digits: number) =>
    new Intl.NumberFormat(lang === 'de' ? 'de-DE' : 'en-GB', { maximumFractionDigits: digits }).format(value);
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${number(Math.round(bytes / 1024), 0)} KB`;
  return `${number(bytes / (1024 * 1024), 1)} MB`;
}
