import type { LoginBody, SetupBody, SetupStatus, User } from '../../../shared/schemas/auth.js';
import type { ClientAck } from '../../lib/errors.js';
import { requestJson } from '../../lib/http.js';

/** REST calls of the console. Same origin as the page; the session lives in an httpOnly cookie. */
export const api = {
  setupStatus: (): Promise<ClientAck<SetupStatus>> => requestJson('/api/setup/status'),
  setup: (body: SetupBody): Promise<ClientAck<{ user: User }>> => requestJson('/api/setup', { body }),
  me: (): Promise<ClientAck<{ user: User }>> => requestJson('/api/auth/me'),
  login: (body: LoginBody): Promise<ClientAck<{ user: User }>> => requestJson('/api/auth/login', { body }),
  logout: (): Promise<ClientAck<Record<string, never>>> => requestJson('/api/auth/logout', { body: {} }),
};
