import type { z } from 'zod';
import type { Message } from '../../../shared/schemas/chat.js';
import type { callbackRequestSchema, leaveMessageSchema, TicketCreated, ticketCreateSchema, VisitorTicket } from '../../../shared/schemas/tickets.js';
import type { ChatService } from '../chat/chatService.js';
import type { ConversationModel } from '../db/models/index.js';
import { ConflictError, NotFoundError, RefusedError } from '../errors/errors.js';
import type { Deliver } from '../routing/routingEngine.js';
import type { Comments } from './comments.js';
import type { Conversion } from './convert.js';
import type { TicketConflict, TicketDeps } from './deps.js';
import type { Standalone } from './standalone.js';

type CreateInput = z.output<typeof ticketCreateSchema>;
type LeaveInput = z.output<typeof leaveMessageSchema>;
type CallbackInput = z.output<typeof callbackRequestSchema>;
type Created = TicketCreated & { deliver: Deliver };

/** What visitors do with tickets over /visitor: leave a message, ask for a callback, come back to their tickets. */
export function createVisitorTickets(deps: TicketDeps, parts: { chat: Pick<ChatService, 'visitorConversation'>; conversion: Conversion; standalone: Standalone; comments: Comments }) {
  const { db, models, messages, events, notifier, views, tracking } = deps;
  const { conversion, standalone, comments } = parts;

  async function own(visitorId: string, ticketId: number) {
    const t = await models.Ticket.findByPk(ticketId);
    if (!t || t.visitorId !== visitorId) throw new NotFoundError('No such ticket.');
    return t;
  }

  /** The visitor's own words first (idempotent by client id), then the waiting chat becomes a ticket. */
  async function fromWaitingChat(
    visitorId: string,
    conversation: ConversationModel,
    input: { clientId: string; email?: string; text?: string },
    extra: { source: 'leave_message' | 'callback_request' | 'voicemail'; kind: 'message' | 'callback' | 'voicemail'; phone?: string; preferredFrom?: Date | null; preferredTo?: Date | null; product?: string | null },
    socketId: string,
    address: string | null,
  ): Promise<Created> {
    const done = await models.Ticket.findOne({ where: { conversationId: conversation.id } });
    if (done) return { ...(await conversion.createdAgain(done)), deliver: async () => undefined };
    if (conversation.status === 'active') throw new RefusedError<TicketConflict>('being_served', 'An agent is serving this conversation.');
    if (conversation.status === 'closed') throw new RefusedError<TicketConflict>('not_waiting', 'The conversation has ended.');
    let added: Message | null = null;
    if (input.text) {
      const stored = await messages.storeOnce(
        { conversationId: conversation.id, senderType: 'visitor', senderId: visitorId, senderName: null, clientId: input.clientId, body: input.text, internal: false, attachmentId: null },
        (facts) => {
          if (!facts || facts.visitorId !== visitorId) throw new NotFoundError('No such conversation.');
          if (facts.status === 'closed') throw new ConflictError('The conversation is closed.');
          return { senderName: facts.visitorName };
        },
      );
      if (!stored.duplicate) added = stored.message;
    }
    if (input.email) await db.models.Visitor.update({ email: input.email }, { where: { id: visitorId } });
    const converted = await conversion.convert(conversation, {
      source: extra.source,
      kind: extra.kind,
      routed: true,
      clientId: input.clientId,
      email: input.email ?? null,
      phone: extra.phone ?? null,
      preferredFrom: extra.preferredFrom ?? null,
      preferredTo: extra.preferredTo ?? null,
      product: extra.product ?? null,
      actor: { type: 'visitor', id: visitorId },
      exceptSocket: socketId,
      address,
    });
    return {
      ...converted.created,
      deliver: async () => {
        if (added) notifier.message(visitorId, added, socketId);
        await converted.deliver();
      },
    };
  }

  return {
    /** Whether this request was made before: the visitor's ticket with this client id, or the chat's ticket. */
    async retried(visitorId: string, clientId: string, conversationId?: string): Promise<boolean> {
      if (await models.Ticket.findOne({ where: { visitorId, clientId }, attributes: ['id'] })) return true;
      return Boolean(conversationId && (await models.Ticket.findOne({ where: { visitorId, conversationId }, attributes: ['id'] })));
    },

    /** `address`: where the visitor asked from (the mail budgets' per-address key). */
    create: (visitorId: string, input: CreateInput, socketId: string, address: string | null): Promise<Created> =>
      standalone.create(
        visitorId,
        {
          clientId: input.clientId,
          kind: 'message',
          departmentId: input.departmentId,
          language: input.language,
          name: input.name,
          email: input.email ?? null,
          customerNumber: input.customerNumber ?? null,
          product: input.product ?? null,
          subject: input.subject ?? null,
          text: input.text,
          phone: null,
          preferredFrom: null,
          preferredTo: null,
          address,
        },
        socketId,
      ),

    async leaveMessage(visitorId: string, input: LeaveInput, socketId: string, address: string | null): Promise<Created> {
      const conversation = await parts.chat.visitorConversation(visitorId, input.conversationId);
      return fromWaitingChat(visitorId, conversation, input, { source: 'leave_message', kind: 'message' }, socketId, address);
    },

    async callback(visitorId: string, input: CallbackInput, socketId: string, address: string | null): Promise<Created> {
      const preferredFrom = input.preferredFrom ? new Date(input.preferredFrom) : null;
      const preferredTo = input.preferredTo ? new Date(input.preferredTo) : null;
      if (input.conversationId) {
        const conversation = await parts.chat.visitorConversation(visitorId, input.conversationId);
        return fromWaitingChat(
          visitorId,
          conversation,
          { clientId: input.clientId, ...(input.email ? { email: input.email } : {}), ...(input.text ? { text: input.text } : {}) },
          { source: 'callback_request', kind: 'callback', phone: input.phone, preferredFrom, preferredTo, product: input.product ?? null },
          socketId,
          address,
        );
      }
      return standalone.create(
        visitorId,
        {
          clientId: input.clientId,
          kind: 'callback',
          departmentId: input.departmentId!,
          language: input.language!,
          name: input.name!,
          email: input.email ?? null,
          customerNumber: input.customerNumber ?? null,
          product: input.product ?? null,
          subject: null,
          text: input.text ?? null,
          phone: input.phone,
          preferredFrom,
          preferredTo,
          address,
        },
        socketId,
      );
    },

    /** The ticket a voicemail goes into: the waiting chat or call request becomes it, or a new one. */
    async voicemail(
      visitorId: string,
      input: { clientId: string; conversationId?: string | undefined; departmentId?: number | undefined; language?: string | undefined; name?: string | undefined; email?: string | undefined },
      socketId: string,
      address: string | null = null,
    ): Promise<Created> {
      if (input.conversationId) {
        const conversation = await parts.chat.visitorConversation(visitorId, input.conversationId);
        return fromWaitingChat(visitorId, conversation, { clientId: input.clientId, ...(input.email ? { email: input.email } : {}) }, { source: 'voicemail', kind: 'voicemail' }, socketId, address);
      }
      return standalone.create(
        visitorId,
        {
          clientId: input.clientId,
          kind: 'voicemail',
          departmentId: input.departmentId!,
          language: input.language!,
          name: input.name!,
          email: input.email ?? null,
          customerNumber: null,
          product: null,
          subject: null,
          text: null,
          phone: null,
          preferredFrom: null,
          preferredTo: null,
          address,
        },
        socketId,
      );
    },

    /** Adds a file (a voicemail's recording) to one of the visitor's tickets, idempotent by client id. */
    async attach(visitorId: string, ticketId: number, clientId: string, name: string, attachmentId: string) {
      const t = await own(visitorId, ticketId);
      return comments.comment(t, clientId, name, undefined, attachmentId);
    },

    async keepWaiting(visitorId: string, conversationId: string): Promise<{ conversationId: string; nextChoiceAt: string }> {
      const conversation = await parts.chat.visitorConversation(visitorId, conversationId);
      if (conversation.status !== 'queued') throw new RefusedError<TicketConflict>('not_waiting', 'The conversation is not waiting.');
      const department = await db.models.Department.findByPk(conversation.departmentId, { attributes: ['maxWaitSeconds'] });
      const at = deps.now();
      await conversation.update({ waitChoiceAt: at });
      await events.record(conversationId, 'kept_waiting', { type: 'visitor', id: visitorId });
      return { conversationId, nextChoiceAt: new Date(at.getTime() + (department?.maxWaitSeconds ?? 600) * 1000).toISOString() };
    },

    async list(visitorId: string): Promise<{ tickets: VisitorTicket[] }> {
      const rows = await models.Ticket.findAll({ where: { visitorId }, order: [['createdAt', 'DESC'], ['id', 'DESC']], limit: 100 });
      return { tickets: rows.map(views.visitorView) };
    },

    async get(visitorId: string, ticketId: number): Promise<{ ticket: VisitorTicket; messages: Message[]; trackingUrl: string }> {
      const t = await own(visitorId, ticketId);
      return {
        ticket: views.visitorView(t),
        messages: await deps.conversationViews.messages(t.conversationId, { withNotes: false, last: 500 }),
        trackingUrl: tracking.url(t.trackingNonce),
      };
    },

    async comment(visitorId: string, input: { ticketId: number; clientId: string; text: string }, socketId: string) {
      return comments.comment(await own(visitorId, input.ticketId), input.clientId, input.text, socketId);
    },
  };
}

export type VisitorTickets = ReturnType<typeof createVisitorTickets>;
