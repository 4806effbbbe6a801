import type { Ack } from '../../shared/ack.js';
import { networkError, type ClientAck } from './errors.js';

function isAck(value: unknown): value is Ack<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { ok?: unknown }).ok === 'boolean';
}

/**
 * JSON request to the zentrale REST API. Never throws: transport failures and non-JSON answers
 * (a proxy's error page, say) become a NETWORK/INTERNAL error in the usual Ack shape.
 */
export async function requestJson<T>(
  url: string,
  options: { method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; body?: unknown; credentials?: RequestCredentials } = {},
): Promise<ClientAck<T>> {
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      credentials: options.credentials ?? 'same-origin',
      headers: options.body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json', accept: 'application/json' },
      body: options.body === undefined ? null : JSON.stringify(options.body),
    });
  } catch (error) {
    return { ok: false, error: networkError(error instanceof Error ? error.message : undefined) };
  }
  try {
    const body: unknown = await response.json();
    if (isAck(body)) return body as Ack<T>;
  } catch {
    // fall through: not JSON
  }
  const code = response.status === 503 ? 'UNAVAILABLE' : 'INTERNAL';
  return { ok: false, error: { code, message: `unexpected response (HTTP ${response.status})` } };
}
