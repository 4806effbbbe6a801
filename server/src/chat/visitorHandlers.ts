import type { visitorEvents } from '../../../shared/events/visitor.js';
import { delivered, Delivery, type Handlers, type VisitorContext } from '../features/handlers.js';
import type { ChatStartQuota } from '../visitors/chatQuota.js';
import type { ChatService } from './chatService.js';

/** The live-chat events; tickets bring their own (tickets/handlers.ts). */
export type VisitorChatEvents = Pick<
  typeof visitorEvents,
  'conversation:start' | 'conversation:resume' | 'conversation:sync' | 'conversation:end' | 'message:send' | 'message:read' | 'typing:set' | 'transcript:request'
>;

/** The quota on new chats (server/src/visitors/chatQuota.ts): open chats and start rates per address. */
export type StartQuota = Pick<ChatStartQuota, 'admit' | 'started'>;

export function visitorChatHandlers(chat: ChatService, quota: StartQuota): Handlers<VisitorChatEvents, VisitorContext> {
  const v = chat.visitor;
  return {
    'conversation:start': async (input, ctx) => {
      const refund = await quota.admit(ctx.visitorId, ctx.address);
      let started: Awaited<ReturnType<typeof v.start>>;
      try {
        started = await v.start(ctx.visitorId, input, ctx.socketId);
      } catch (error) {
        await refund();
        throw error;
      }
      const { deliver, ...result } = started;
      // A chat that became a ticket at once (nobody online) is not open; the ticket quotas do not apply to it.
      if (result.ticket === null) await quota.started(result.conversation.id, ctx.address);
      ctx.log.info({ conversationId: result.conversation.id, departmentId: result.conversation.departmentId }, 'conversation started');
      return new Delivery(result, deliver);
    },
    'conversation:resume': (_input, ctx) => v.resume(ctx.visitorId),
    'conversation:sync': async ({ conversationId, afterId }, ctx) => ({ messages: await v.sync(ctx.visitorId, conversationId, afterId) }),
    'conversation:end': async ({ conversationId }, ctx) => {
      return delivered(await v.end(ctx.visitorId, conversationId, ctx.socketId));
    },
    'message:send': async (input, ctx) => {
      return delivered(await v.send(ctx.visitorId, input, ctx.socketId));
    },
    'message:read': async ({ conversationId, upToId }, ctx) => {
      return delivered(await v.read(ctx.visitorId, conversationId, upToId));
    },
    'typing:set': async ({ conversationId, typing }, ctx) => {
      await v.typing(ctx.visitorId, conversationId, typing);
      return {};
    },
    'transcript:request': ({ conversationId, email }, ctx) => v.transcript(ctx.visitorId, conversationId, email, ctx.address),
  };
}
