import type { Namespace } from 'socket.io';
import type { agentEvents } from '../../../shared/events/agent.js';
import type { Handlers } from '../socket/bindHandlers.js';
import { rooms } from '../socket/rooms.js';
import type { AgentContext } from '../socket/agentNamespace.js';
import type { PresenceStore } from './presenceStore.js';

type PresenceEvents = Pick<typeof agentEvents, 'presence:set' | 'presence:get'>;

export function presenceHandlers(store: PresenceStore, agents: Namespace, now: () => Date): Handlers<PresenceEvents, AgentContext> {
  return {
    'presence:get': (_payload, { user }) => store.get(user.id),
    'presence:set': async ({ status, reason }, ctx) => {
      const presence = await store.set(ctx.user.id, status, reason ?? null, now());
      ctx.log.info({ agentId: ctx.user.id, status, reason }, 'presence set');
      // Every tab of this agent and every supervisor sees the change.
      ctx.afterAck(() => agents.to([rooms.agent(ctx.user.id), rooms.supervisors()]).emit('presence:changed', presence));
      return presence;
    },
  };
}
