import type { LoginBody, SetupBody, SetupStatus, User } from '../../../shared/schemas/auth.js';
import type { CannedResponse, CannedResponseBody } from '../../../shared/schemas/canned.js';
import type { Message } from '../../../shared/schemas/chat.js';
import type { OpeningHours } from '../../../shared/schemas/departments.js';
import type { RoutingConfig } from '../../../shared/schemas/routing.js';
import type { AssignmentRule, AssignmentRuleBody, SlaPolicy, SlaPolicyBody, Substitute } from '../../../shared/schemas/tickets.js';
import type { ConversationEvent } from '../../../shared/schemas/timeline.js';
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
  /** Supervisors and admins: every account (e.g. to assign a ticket to a colleague). */
  users: (): Promise<ClientAck<{ users: User[] }>> => requestJson('/api/users'),
  cannedList: (): Promise<ClientAck<{ responses: CannedResponse[] }>> => requestJson('/api/canned-responses'),
  cannedCreate: (body: CannedResponseBody): Promise<ClientAck<{ response: CannedResponse }>> =>
    requestJson('/api/canned-responses', { body }),
  cannedUpdate: (id: number, body: CannedResponseBody): Promise<ClientAck<{ response: CannedResponse }>> =>
    requestJson(`/api/canned-responses/${id}`, { method: 'PATCH', body }),
  /** The conversation's stored steps (queued, offered, transfers, …), oldest first. */
  conversationEvents: (conversationId: string): Promise<ClientAck<{ events: ConversationEvent[] }>> =>
    requestJson(`/api/conversations/${encodeURIComponent(conversationId)}/events`),
  cannedDelete: async (id: number): Promise<ClientAck<unknown>> => {
    const result = await requestJson(`/api/canned-responses/${id}`, { method: 'DELETE' });
    // A bodiless 204 is a success too.
    if (!result.ok && /HTTP 204/.test(result.error.message)) return { ok: true, data: {} };
    return result;
  },
  // Ticket settings (supervisors and admins).
  slaPolicies: (): Promise<ClientAck<{ policies: SlaPolicy[] }>> => requestJson('/api/sla-policies'),
  /** One policy per department and urgency: setting it again replaces it. */
  slaPolicySet: (body: SlaPolicyBody): Promise<ClientAck<{ policy: SlaPolicy }>> => requestJson('/api/sla-policies', { method: 'PUT', body }),
  slaPolicyDelete: (id: number): Promise<ClientAck<unknown>> => requestJson(`/api/sla-policies/${id}`, { method: 'DELETE' }),
  /** In the order they are tried (first match wins). */
  assignmentRules: (): Promise<ClientAck<{ rules: AssignmentRule[] }>> => requestJson('/api/assignment-rules'),
  assignmentRuleCreate: (body: AssignmentRuleBody): Promise<ClientAck<{ rule: AssignmentRule }>> => requestJson('/api/assignment-rules', { body }),
  assignmentRuleUpdate: (id: number, body: Partial<AssignmentRuleBody>): Promise<ClientAck<{ rule: AssignmentRule }>> =>
    requestJson(`/api/assignment-rules/${id}`, { method: 'PATCH', body }),
  assignmentRuleDelete: (id: number): Promise<ClientAck<unknown>> => requestJson(`/api/assignment-rules/${id}`, { method: 'DELETE' }),
  substitutes: (): Promise<ClientAck<{ substitutes: Substitute[] }>> => requestJson('/api/substitutes'),
  substituteSet: (userId: number, substituteId: number | null): Promise<ClientAck<Substitute>> =>
    requestJson(`/api/users/${userId}/substitute`, { method: 'PUT', body: { substituteId } }),
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
