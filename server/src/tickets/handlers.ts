import type { agentEvents } from '../../../shared/events/agent.js';
import type { visitorEvents } from '../../../shared/events/visitor.js';
import type { Handlers } from '../socket/bindHandlers.js';
import type { AgentContext } from '../socket/agentNamespace.js';
import type { VisitorContext } from '../socket/visitorNamespace.js';
import type { AgentTickets } from './agentSide.js';
import type { VisitorTickets } from './visitorSide.js';

export type VisitorTicketEvents = Pick<
  typeof visitorEvents,
  'ticket:create' | 'conversation:leave-message' | 'conversation:keep-waiting' | 'callback:request' | 'ticket:list' | 'ticket:get' | 'ticket:comment'
>;

export type AgentTicketEvents = Pick<
  typeof agentEvents,
  'ticket:list' | 'ticket:get' | 'ticket:reply' | 'ticket:note' | 'ticket:update' | 'ticket:called-back' | 'ticket:similar' | 'ticket:assignees'
>;

export function visitorTicketHandlers(tickets: VisitorTickets): Handlers<VisitorTicketEvents, VisitorContext> {
  return {
    'ticket:create': async (input, ctx) => {
      const { deliver, ...created } = await tickets.create(ctx.visitorId, input, ctx.socketId);
      ctx.afterAck(deliver);
      return created;
    },
    'conversation:leave-message': async (input, ctx) => {
      const { deliver, ...created } = await tickets.leaveMessage(ctx.visitorId, input, ctx.socketId);
      ctx.afterAck(deliver);
      return created;
    },
    'conversation:keep-waiting': ({ conversationId }, ctx) => tickets.keepWaiting(ctx.visitorId, conversationId),
    'callback:request': async (input, ctx) => {
      const { deliver, ...created } = await tickets.callback(ctx.visitorId, input, ctx.socketId);
      ctx.afterAck(deliver);
      return created;
    },
    'ticket:list': (_input, ctx) => tickets.list(ctx.visitorId),
    'ticket:get': ({ ticketId }, ctx) => tickets.get(ctx.visitorId, ticketId),
    'ticket:comment': async (input, ctx) => {
      const { deliver, ...result } = await tickets.comment(ctx.visitorId, input, ctx.socketId);
      ctx.afterAck(deliver);
      return result;
    },
  };
}

export function agentTicketHandlers(tickets: AgentTickets): Handlers<AgentTicketEvents, AgentContext> {
  return {
    'ticket:list': (query, { user }) => tickets.list(user, query),
    'ticket:get': ({ ticketId }, { user }) => tickets.get(user, ticketId),
    'ticket:reply': async (input, ctx) => {
      const { deliver, ...result } = await tickets.reply(ctx.user, input, ctx.socketId);
      ctx.afterAck(deliver);
      return result;
    },
    'ticket:note': async (input, ctx) => {
      const { deliver, ...result } = await tickets.note(ctx.user, input, ctx.socketId);
      ctx.afterAck(deliver);
      return result;
    },
    'ticket:update': async (input, ctx) => {
      const { deliver, ...result } = await tickets.update(ctx.user, input, ctx.socketId);
      ctx.afterAck(deliver);
      return result;
    },
    'ticket:called-back': async (input, ctx) => {
      const { deliver, ...result } = await tickets.calledBack(ctx.user, input, ctx.socketId);
      ctx.afterAck(deliver);
      return result;
    },
    'ticket:similar': ({ ticketId }, { user }) => tickets.similar(user, ticketId),
    'ticket:assignees': ({ ticketId }, { user }) => tickets.assignees(user, ticketId),
  };
}
