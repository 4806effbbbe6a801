import type { agentEvents } from '../../../shared/events/agent.js';
import type { RoutingEngine } from '../routing/routingEngine.js';
import type { AgentContext, Handlers } from '../features/handlers.js';

type PresenceEvents = Pick<typeof agentEvents, 'presence:set' | 'presence:get'>;

/** Presence lives in the routing store: availability is what routing decides on. */
export function presenceHandlers(engine: RoutingEngine): Handlers<PresenceEvents, AgentContext> {
  return {
    'presence:get': (_payload, { user }) => engine.presence(user.id),
    'presence:set': async ({ status, reason }, ctx) => {
      ctx.log.info({ status, reason }, 'presence set');
      return engine.setPresence(ctx.user.id, status, reason ?? null);
    },
  };
}
