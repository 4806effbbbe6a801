import type { PublicDepartment } from '../../../shared/schemas/departments.js';
import type { VisitorSession } from '../../../shared/schemas/chat.js';
import { requestJson } from '../../lib/http.js';
import type { ClientAck } from '../../lib/errors.js';

/** localStorage key of the visitor token, so a reload (or a later visit) resumes the conversation. */
export const TOKEN_STORAGE_KEY = 'zentrale.visitorToken';

export function readStoredToken(): string | undefined {
  try {
    return localStorage.getItem(TOKEN_STORAGE_KEY) ?? undefined;
  } catch {
    return undefined; // storage blocked (third-party iframe in strict privacy modes)
  }
}

export function storeToken(token: string): void {
  try {
    localStorage.setItem(TOKEN_STORAGE_KEY, token);
  } catch {
    // Without storage the chat still works; it just will not survive a reload.
  }
}

/** Validates (and if needed replaces) the visitor token. */
export function openVisitorSession(origin: string, token: string | undefined): Promise<ClientAck<VisitorSession>> {
  return requestJson<VisitorSession>(`${origin}/api/visitor/session`, { body: token ? { token } : {} });
}

export function fetchDepartments(origin: string): Promise<ClientAck<{ departments: PublicDepartment[]; voice?: { available: boolean } }>> {
  return requestJson(`${origin}/api/public/departments`);
}
