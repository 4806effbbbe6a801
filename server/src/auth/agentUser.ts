import type { Role } from '../../../shared/schemas/common.js';

/** A signed-in staff member as the domain sees them: who, and with which role. */
export interface AgentUser {
  id: number;
  name: string;
  role: Role;
}

/** What a console request carries into a handler: the caller and the connection it came through. */
export interface AgentContext {
  user: AgentUser;
  /** The connection that asked; it has the result in its ack, so pushes of the same change skip it. */
  socketId: string;
}
