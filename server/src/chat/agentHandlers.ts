import type { agentEvents } from '../../../shared/events/agent.js';
import type { Handlers } from '../socket/bindHandlers.js';
import type { AgentContext } from '../socket/agentNamespace.js';
import type { ChatService } from './chatService.js';

type ChatEvents = Pick<
  typeof agentEvents,
  'conversation:list' | 'conversation:get' | 'conversation:sync' | 'conversation:close' | 'customer:verify' | 'message:send' | 'note:add' | 'message:read' | 'typing:set'
>;

export function agentChatHandlers(chat: ChatService, pendingOffer: (agentId: number) => Promise<import('../../../shared/schemas/routing.js').Offer | null>): Handlers<ChatEvents, AgentContext> {
  const a = chat.agent;
  return {
    'conversation:list': async (_input, { user }) => ({ conversations: await a.list(user), offer: await pendingOffer(user.id) }),
    'conversation:get': ({ conversationId }, { user }) => a.get(user, conversationId),
    'conversation:sync': async ({ conversationId, afterId }, { user }) => ({ messages: await a.sync(user, conversationId, afterId) }),
    'conversation:close': async ({ conversationId }, ctx) => {
      const { deliver, ...result } = await a.close(ctx.user, conversationId, ctx.socketId);
      ctx.afterAck(deliver);
      return result;
    },
    'customer:verify': async ({ conversationId, customerNumber }, ctx) => {
      const { deliver, ...result } = await a.verifyCustomer(ctx.user, conversationId, customerNumber, ctx.socketId);
      ctx.afterAck(deliver);
      return result;
    },
    'message:send': async (input, ctx) => {
      const { deliver, ...result } = await a.send(ctx.user, input, ctx.socketId, false);
      ctx.afterAck(deliver);
      return result;
    },
    'note:add': async (input, ctx) => {
      const { deliver, ...result } = await a.send(ctx.user, input, ctx.socketId, true);
      ctx.afterAck(deliver);
      return result;
    },
    'message:read': async ({ conversationId, upToId }, ctx) => {
      const { deliver, ...result } = await a.read(ctx.user, conversationId, upToId);
      ctx.afterAck(deliver);
      return result;
    },
    'typing:set': async ({ conversationId, typing }, { user }) => {
      await a.typing(user, conversationId, typing);
      return {};
    },
  };
}
