import type { agentEvents } from '../../../shared/events/agent.js';
import { hasRole } from '../auth/middleware.js';
import type { ChatService } from '../chat/chatService.js';
import type { Database } from '../db/database.js';
import { ForbiddenError } from '../errors/errors.js';
import type { Handlers } from '../socket/bindHandlers.js';
import type { AgentContext } from '../socket/agentNamespace.js';
import type { RoutingEngine } from './routingEngine.js';

type RoutingEvents = Pick<typeof agentEvents, 'preferences:set' | 'offer:accept' | 'offer:decline' | 'queue:list' | 'supervisor:snapshot'>;

export function routingHandlers(engine: RoutingEngine, chat: ChatService, db: Database, onPreferences: (agentId: number, autoAccept: boolean, socketId: string) => void): Handlers<RoutingEvents, AgentContext> {
  const memberDepartments = async (agentId: number) =>
    (await db.models.DepartmentMember.findAll({ where: { userId: agentId }, attributes: ['departmentId'] })).map((m) => m.departmentId);

  return {
    'preferences:set': async ({ autoAccept }, ctx) => {
      await db.models.User.update({ autoAccept }, { where: { id: ctx.user.id } });
      await engine.loadAgentProfile(ctx.user.id);
      ctx.afterAck(() => onPreferences(ctx.user.id, autoAccept, ctx.socketId));
      return { autoAccept };
    },
    'offer:accept': async ({ conversationId }, ctx) => {
      const { conversation, row, deliver } = await engine.accept(conversationId, ctx.user.id, ctx.socketId);
      ctx.afterAck(deliver);
      return chat.agent.detail(row, conversation);
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
