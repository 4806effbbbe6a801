import type { Namespace } from 'socket.io';
import type { visitorEvents } from '../../../shared/events/visitor.js';
import type { Handlers } from '../socket/bindHandlers.js';
import { rooms } from '../socket/rooms.js';
import type { VisitorContext } from '../socket/visitorNamespace.js';
import type { ChatService } from './chatService.js';

export function visitorChatHandlers(chat: ChatService, visitors: Namespace): Handlers<typeof visitorEvents, VisitorContext> {
  return {
    'conversation:start': async (input, ctx) => {
      const { conversation, message, created } = await chat.start(ctx.visitorId, input);
      if (created) ctx.log.info({ conversationId: conversation.id, departmentId: conversation.departmentId }, 'conversation started');
      // The visitor's other tabs learn of it too; the sending tab already has it from the ack.
      ctx.afterAck(() => visitors.to(rooms.visitor(ctx.visitorId)).except(ctx.socketId).emit('conversation:updated', conversation));
      return { conversation, message };
    },
    'conversation:resume': (_input, ctx) => chat.resume(ctx.visitorId),
    'conversation:sync': async ({ conversationId, afterId }, ctx) => ({
      messages: await chat.sync(ctx.visitorId, conversationId, afterId),
    }),
    'message:send': async (input, ctx) => {
      const result = await chat.sendAsVisitor(ctx.visitorId, input);
      if (!result.duplicate) {
        ctx.afterAck(() => visitors.to(rooms.visitor(ctx.visitorId)).except(ctx.socketId).emit('message:sent', result.message));
      }
      return result;
    },
  };
}
