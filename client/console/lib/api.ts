import type { LoginBody, SetupBody, SetupStatus, User } from '../../../shared/schemas/auth.js';
import type { CannedResponse, CannedResponseBody } from '../../../shared/schemas/canned.js';
import type { Message } from '../../../shared/schemas/chat.js';
import type { OpeningHours } from '../../../shared/schemas/departments.js';
import type { RoutingConfig } from '../../../shared/schemas/routing.js';
import { networkError, type ClientAck } from '../../lib/errors.js';
import { requestJson } from '../../lib/http.js';

/** A department as agents see it (GET /api/departments). */
export interface Department {
  id: number;
  slug: string;
  name: string;
  languages: string[];
  openingHours: OpeningHours;
  fallbackDepartmentId: number | null;
  routing: RoutingConfig;
}

/** REST calls of the console. Same origin as the page; the session lives in an httpOnly cookie. */
export const api = {
  setupStatus: (): Promise<ClientAck<SetupStatus>> => requestJson('/api/setup/status'),
  setup: (body: SetupBody): Promise<ClientAck<{ user: User }>> => requestJson('/api/setup', { body }),
  me: (): Promise<ClientAck<{ user: User }>> => requestJson('/api/auth/me'),
  login: (body: LoginBody): Promise<ClientAck<{ user: User }>> => requestJson('/api/auth/login', { body }),
  logout: (): Promise<ClientAck<Record<string, never>>> => requestJson('/api/auth/logout', { body: {} }),
  departments: (): Promise<ClientAck<{ departments: Department[] }>> => requestJson('/api/departments'),
  cannedList: (): Promise<ClientAck<{ responses: CannedResponse[] }>> => requestJson('/api/canned-responses'),
  cannedCreate: (body: CannedResponseBody): Promise<ClientAck<{ response: CannedResponse }>> =>
    requestJson('/api/canned-responses', { body }),
  cannedUpdate: (id: number, body: CannedResponseBody): Promise<ClientAck<{ response: CannedResponse }>> =>
    requestJson(`/api/canned-responses/${id}`, { method: 'PATCH', body }),
  cannedDelete: async (id: number): Promise<ClientAck<unknown>> => {
    const result = await requestJson(`/api/canned-responses/${id}`, { method: 'DELETE' });
    // A bodiless 204 is a success too.
    if (!result.ok && /HTTP 204/.test(result.error.message)) return { ok: true, data: {} };
    return result;
  },
};

/** URL of a stored attachment; the session cookie is sent same-origin, so <img src> works. */
export const attachmentUrl = (id: string): string => `/api/attachments/${encodeURIComponent(id)}`;

/** Uploads a file as a message of the conversation (raw body). `clientId` makes retries idempotent. */
export async function uploadAttachment(
  conversationId: string,
  file: File,
  clientId: string,
): Promise<ClientAck<{ message: Message; duplicate: boolean }>> {
  let response: Response;
  try {
    response = await fetch(`/api/conversations/${encodeURIComponent(conversationId)}/attachments`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        accept: 'application/json',
        'content-type': file.type || 'application/octet-stream',
        'x-filename': encodeURIComponent(file.name),
        'x-client-id': clientId,
      },
      body: file,
    });
  } catch (error) {
    return { ok: false, error: networkError(error instanceof Error ? error.message : undefined) };
  }
  try {
    const body = (await response.json()) as ClientAck<{ message: Message; duplicate: boolean }>;
    if (typeof body === 'object' && body !== null && typeof body.ok === 'boolean') return body;
  } catch {
    // not JSON, e.g. a proxy's 413 page
  }
  if (response.status === 413) return { ok: false, error: { code: 'PAYLOAD_TOO_LARGE', message: 'file too large' } };
  return { ok: false, error: { code: response.status === 503 ? 'UNAVAILABLE' : 'INTERNAL', message: `HTTP ${response.status}` } };
}
