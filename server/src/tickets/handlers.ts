import type { agentEvents } from '../../../shared/events/agent.js';
import type { visitorEvents } from '../../../shared/events/visitor.js';
import { delivered, Delivery, type AgentContext, type HandlerContext, type Handlers, type VisitorContext } from '../features/handlers.js';
import type { AgentTickets } from './agentSide.js';
import type { TicketCreated } from '../../../shared/schemas/tickets.js';
import type { Deliver } from '../routing/routingEngine.js';
import type { Refund } from '../visitors/quotas.js';
import type { VisitorTickets } from './visitorSide.js';

export type VisitorTicketEvents = Pick<
  typeof visitorEvents,
  'ticket:create' | 'conversation:leave-message' | 'conversation:keep-waiting' | 'callback:request' | 'ticket:list' | 'ticket:get' | 'ticket:comment'
>;

export type AgentTicketEvents = Pick<
  typeof agentEvents,
  'ticket:list' | 'ticket:get' | 'ticket:reply' | 'ticket:note' | 'ticket:update' | 'ticket:called-back' | 'ticket:similar' | 'ticket:assignees'
>;

/** The visitor's budget of new tickets (visitors/quotas.ts): per visitor, per address, per installation. */
export type TicketQuota = (visitorId: string, address: string) => Promise<Refund>;

/**
 * Charges one ticket before making it; a retry (the first ticket comes back) or a failure gives
 * the charge back, so only tickets that were really made count.
 */
async function charged(
  tickets: VisitorTickets,
  quota: TicketQuota,
  ctx: VisitorContext & HandlerContext,
  input: { clientId: string; conversationId?: string | undefined },
  make: () => Promise<TicketCreated & { deliver: Deliver }>,
) {
  // A retry (its ticket exists) is answered, never refused: only the first request is charged.
  const refund = (await tickets.retried(ctx.visitorId, input.clientId, input.conversationId)) ? async () => undefined : await quota(ctx.visitorId, ctx.address);
  let made: TicketCreated & { deliver: Deliver };
  try {
    made = await make();
  } catch (error) {
    await refund();
    throw error;
  }
  if (made.duplicate) await refund();
  const { deliver, ...created } = made;
  return new Delivery(created, deliver);
}

export function visitorTicketHandlers(tickets: VisitorTickets, quota: TicketQuota): Handlers<VisitorTicketEvents, VisitorContext> {
  return {
    'ticket:create': (input, ctx) => charged(tickets, quota, ctx, input, () => tickets.create(ctx.visitorId, input, ctx.socketId, ctx.address)),
    'conversation:leave-message': (input, ctx) => charged(tickets, quota, ctx, input, () => tickets.leaveMessage(ctx.visitorId, input, ctx.socketId, ctx.address)),
    'conversation:keep-waiting': ({ conversationId }, ctx) => tickets.keepWaiting(ctx.visitorId, conversationId),
    'callback:request': (input, ctx) => charged(tickets, quota, ctx, input, () => tickets.callback(ctx.visitorId, input, ctx.socketId, ctx.address)),
    'ticket:list': (_input, ctx) => tickets.list(ctx.visitorId),
    'ticket:get': ({ ticketId }, ctx) => tickets.get(ctx.visitorId, ticketId),
    'ticket:comment': async (input, ctx) => {
      return delivered(await tickets.comment(ctx.visitorId, input, ctx.socketId));
    },
  };
}

export function agentTicketHandlers(tickets: AgentTickets): Handlers<AgentTicketEvents, AgentContext> {
  return {
    'ticket:list': (query, { user }) => tickets.list(user, query),
    'ticket:get': ({ ticketId }, { user }) => tickets.get(user, ticketId),
    'ticket:reply': async (input, ctx) => {
      return delivered(await tickets.reply(ctx.user, input, ctx.socketId));
    },
    'ticket:note': async (input, ctx) => {
      return delivered(await tickets.note(ctx.user, input, ctx.socketId));
    },
    'ticket:update': async (input, ctx) => {
      return delivered(await tickets.update(ctx.user, input, ctx.socketId));
    },
    'ticket:called-back': async (input, ctx) => {
      return delivered(await tickets.calledBack(ctx.user, input, ctx.socketId));
    },
    'ticket:similar': ({ ticketId }, { user }) => tickets.similar(user, ticketId),
    'ticket:assignees': ({ ticketId }, { user }) => tickets.assignees(user, ticketId),
  };
}
