import type { agentEvents } from '../../../shared/events/agent.js';
import { delivered, Delivery, type AgentContext, type Handlers } from '../features/handlers.js';
import type { Transfers } from './transfers.js';

export type TransferEvents = Pick<
  typeof agentEvents,
  'transfer:candidates' | 'transfer:request' | 'transfer:accept' | 'transfer:decline' | 'transfer:cancel' | 'transfer:get' | 'transfer:list' | 'consult:send' | 'supervisor:reassign'
>;

export function transferHandlers(transfers: Transfers): Handlers<TransferEvents, AgentContext> {
  return {
    'transfer:candidates': ({ conversationId }, { user }) => transfers.candidates(user, conversationId),
    'transfer:request': async (input, ctx) => {
      return delivered(await transfers.request(ctx.user, input, ctx.socketId));
    },
    'transfer:accept': async ({ transferId }, ctx) => {
      const { deliver, detail } = await transfers.accept(ctx.user, transferId, ctx.socketId);
      return new Delivery(detail, deliver);
    },
    'transfer:decline': async ({ transferId, message }, ctx) => {
      return delivered(await transfers.decline(ctx.user, transferId, message));
    },
    'transfer:cancel': async ({ transferId }, ctx) => {
      return delivered(await transfers.cancel(ctx.user, transferId));
    },
    'transfer:get': ({ transferId }, { user }) => transfers.get(user, transferId),
    'transfer:list': async ({ conversationId }, { user }) => ({ transfers: await transfers.list(user, conversationId) }),
    'consult:send': async (input, ctx) => {
      return delivered(await transfers.sendConsult(ctx.user, input, ctx.socketId));
    },
    'supervisor:reassign': async (input, ctx) => {
      return delivered(await transfers.reassign(ctx.user, input, ctx.socketId));
    },
  };
}
