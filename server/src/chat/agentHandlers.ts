import type { agentEvents } from '../../../shared/events/agent.js';
import { delivered, Delivery, type AgentContext, type Handlers } from '../features/handlers.js';
import type { RoutingEngine } from '../routing/routingEngine.js';
import type { ChatService } from './chatService.js';

type ChatEvents = Pick<
  typeof agentEvents,
  | 'offer:accept'
  | 'conversation:list'
  | 'conversation:get'
  | 'conversation:sync'
  | 'conversation:close'
  | 'customer:verify'
  | 'message:send'
  | 'note:add'
  | 'message:read'
  | 'typing:set'
>;

export function agentChatHandlers(chat: ChatService, engine: Pick<RoutingEngine, 'accept' | 'pendingOffer'>): Handlers<ChatEvents, AgentContext> {
  const a = chat.agent;
  return {
    // Accepting an offer opens the chat: the answer is the conversation with its history.
    'offer:accept': async ({ conversationId }, ctx) => {
      const { conversation, row, deliver } = await engine.accept(conversationId, ctx.user.id, ctx.socketId);
      return new Delivery(await a.detail(row, conversation), deliver);
    },
    'conversation:list': async (_input, { user }) => ({ conversations: await a.list(user), offer: await engine.pendingOffer(user.id) }),
    'conversation:get': ({ conversationId }, { user }) => a.get(user, conversationId),
    'conversation:sync': async ({ conversationId, afterId }, { user }) => ({ messages: await a.sync(user, conversationId, afterId) }),
    'conversation:close': async ({ conversationId }, ctx) => {
      return delivered(await a.close(ctx.user, conversationId, ctx.socketId));
    },
    'customer:verify': async ({ conversationId, customerNumber }, ctx) => {
      return delivered(await a.verifyCustomer(ctx.user, conversationId, customerNumber, ctx.socketId));
    },
    'message:send': async (input, ctx) => {
      return delivered(await a.send(ctx.user, input, ctx.socketId, false));
    },
    'note:add': async (input, ctx) => {
      return delivered(await a.send(ctx.user, input, ctx.socketId, true));
    },
    'message:read': async ({ conversationId, upToId }, ctx) => {
      return delivered(await a.read(ctx.user, conversationId, upToId));
    },
    'typing:set': async ({ conversationId, typing }, { user }) => {
      await a.typing(user, conversationId, typing);
      return {};
    },
  };
}
