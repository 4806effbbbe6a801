import type { agentEvents } from '../../../shared/events/agent.js';
import type { Handlers } from '../socket/bindHandlers.js';
import type { AgentContext } from '../socket/agentNamespace.js';
import type { Transfers } from './transfers.js';

export type TransferEvents = Pick<
  typeof agentEvents,
  'transfer:candidates' | 'transfer:request' | 'transfer:accept' | 'transfer:decline' | 'transfer:cancel' | 'transfer:get' | 'transfer:list' | 'consult:send' | 'supervisor:reassign'
>;

export function transferHandlers(transfers: Transfers): Handlers<TransferEvents, AgentContext> {
  return {
    'transfer:candidates': ({ conversationId }, { user }) => transfers.candidates(user, conversationId),
    'transfer:request': async (input, ctx) => {
      const { deliver, ...result } = await transfers.request(ctx.user, input, ctx.socketId);
      ctx.afterAck(deliver);
      return result;
    },
    'transfer:accept': async ({ transferId }, ctx) => {
      const { deliver, detail } = await transfers.accept(ctx.user, transferId, ctx.socketId);
      ctx.afterAck(deliver);
      return detail;
    },
    'transfer:decline': async ({ transferId, message }, ctx) => {
      const { deliver, ...result } = await transfers.decline(ctx.user, transferId, message);
      ctx.afterAck(deliver);
      return result;
    },
    'transfer:cancel': async ({ transferId }, ctx) => {
      const { deliver, ...result } = await transfers.cancel(ctx.user, transferId);
      ctx.afterAck(deliver);
      return result;
    },
    'transfer:get': ({ transferId }, { user }) => transfers.get(user, transferId),
    'transfer:list': async ({ conversationId }, { user }) => ({ transfers: await transfers.list(user, conversationId) }),
    'consult:send': async (input, ctx) => {
      const { deliver, ...result } = await transfers.sendConsult(ctx.user, input, ctx.socketId);
      ctx.afterAck(deliver);
      return result;
    },
    'supervisor:reassign': async (input, ctx) => {
      const { deliver, ...result } = await transfers.reassign(ctx.user, input, ctx.socketId);
      ctx.afterAck(deliver);
      return result;
    },
  };
}
