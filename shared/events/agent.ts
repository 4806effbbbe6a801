import { defineEvent, type ClientToServer } from '../contract.js';
import { emptySchema } from '../schemas/chat.js';
import { presenceSetSchema, type Presence } from '../schemas/presence.js';

/** Namespace the console connects to. Auth: the session cookie set by POST /api/auth/login. */
export const AGENT_NAMESPACE = '/agent';

export const agentEvents = {
  'presence:set': defineEvent<Presence>()(presenceSetSchema),
  'presence:get': defineEvent<Presence>()(emptySchema),
};

export type AgentClientToServer = ClientToServer<typeof agentEvents>;

export interface AgentServerToClient {
  /** Own status changed (from any of the agent's tabs or by the server). */
  'presence:changed': (presence: Presence) => void;
  /** The session ended (signed out elsewhere, account disabled); the client should sign in again. */
  'session:ended': (reason: { code: string }) => void;
}
