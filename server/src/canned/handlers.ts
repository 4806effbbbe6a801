import type { agentEvents } from '../../../shared/events/agent.js';
import { hasRole } from '../auth/middleware.js';
import type { AgentContext, Handlers } from '../features/handlers.js';
import type { CannedResponses } from './cannedResponses.js';

type CannedEvents = Pick<typeof agentEvents, 'canned:list'>;

/** Supervisors see every canned response; agents those of their departments and the global ones. */
export function cannedHandlers(canned: CannedResponses, memberDepartments: (userId: number) => Promise<number[]>): Handlers<CannedEvents, AgentContext> {
  return {
    'canned:list': async (_p, { user }) => ({
      responses: await canned.list(hasRole(user.role, 'supervisor') ? null : await memberDepartments(user.id)),
    }),
  };
}
