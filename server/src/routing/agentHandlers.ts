import type { agentEvents } from '../../../shared/events/agent.js';
import { hasRole } from '../auth/middleware.js';
import { ForbiddenError } from '../errors/errors.js';
import type { AgentContext, Handlers } from '../features/handlers.js';
import type { RoutingEngine } from './routingEngine.js';

type RoutingEvents = Pick<typeof agentEvents, 'preferences:set' | 'offer:decline' | 'queue:list' | 'supervisor:snapshot'>;

export function routingHandlers(
  engine: RoutingEngine,
  memberDepartments: (agentId: number) => Promise<number[]>,
  onPreferences: (agentId: number, autoAccept: boolean, socketId: string) => void,
): Handlers<RoutingEvents, AgentContext> {

  return {
    'preferences:set': async ({ autoAccept }, ctx) => {
      await engine.setAutoAccept(ctx.user.id, autoAccept);
      ctx.afterAck(() => onPreferences(ctx.user.id, autoAccept, ctx.socketId));
      return { autoAccept };
    },
    'offer:decline': async ({ conversationId }, ctx) => {
      await engine.decline(conversationId, ctx.user.id);
      return {};
    },
    'queue:list': async (_p, { user }) => ({
      entries: await engine.queueEntries(hasRole(user.role, 'supervisor') ? null : await memberDepartments(user.id)),
    }),
    'supervisor:snapshot': async (_p, { user }) => {
      if (!hasRole(user.role, 'supervisor')) throw new ForbiddenError('Supervisors only.');
      return { agents: await engine.agentStates(), queue: await engine.queueEntries(null) };
    },
  };
}
