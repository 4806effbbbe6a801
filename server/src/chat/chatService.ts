import { randomUUID } from 'node:crypto';
import { Op } from 'sequelize';
import type { z } from 'zod';
import type { ConversationDetail } from '../../../shared/events/agent.js';
import type { AgentConversation, Conversation, EarlierConversation, Message, conversationStartSchema, messageSendSchema } from '../../../shared/schemas/chat.js';
import type { QueueStatus } from '../../../shared/schemas/routing.js';
import type { TicketCreated } from '../../../shared/schemas/tickets.js';
import { hasRole } from '../auth/middleware.js';
import type { EventLog } from '../conversations/eventLog.js';
import type { ConversationViews } from '../conversations/views.js';
import type { Database } from '../db/database.js';
import type { ClosedBy, ConversationModel } from '../db/models/index.js';
import { ConflictError, NotFoundError } from '../errors/errors.js';
import type { Notifier } from '../routing/notifier.js';
import type { Deliver, RoutingEngine } from '../routing/routingEngine.js';
import type { AgentUser } from '../auth/agentUser.js';
import type { MessageStore } from '../conversations/messageStore.js';
import type { StartWriter } from './startWriter.js';

/** How many messages one sync or resume returns at most; clients page on with the last id. */
export const SYNC_PAGE_SIZE = 500;

type StartInput = z.output<typeof conversationStartSchema>;
type SendInput = z.output<typeof messageSendSchema>;

/** Sends transcripts: at once for an ended chat, else once it ends (see mail/transcripts.ts). */
export interface TranscriptHook {
  /**
   * The visitor asks for the transcript (`email`: the address they typed, if any). Decides where it
   * goes and whether a mail is queued; `first`: this request was the one that queued it.
   */
  request(conversation: ConversationModel, email: string | null, origin: { visitorId: string; address: string | null }): Promise<{ email: string; mailQueued: boolean; first: boolean }>;
  /** The conversation ended: a transcript asked for meanwhile goes out now. */
  closed(conversationId: string): Promise<void>;
}

/**
 * The offline fallback's say on a new chat before it joins a queue: it may move it to the
 * fallback department (changing `conversation.departmentId`) or make it a ticket at once.
 */
export interface StartFallback {
  /** A start retried after it became a ticket gets that ticket back instead of a second chat. */
  retried(visitorId: string, clientId: string): Promise<{ conversation: Conversation; message: Message; ticket: TicketCreated } | null>;
  atStart(conversation: ConversationModel, socketId: string): Promise<{ kind: 'queue'; deliver?: Deliver } | { kind: 'ticket'; created: TicketCreated; conversation: Conversation; deliver: Deliver }>;
}

export interface ChatDeps {
  db: Database;
  starts: StartWriter;
  engine: RoutingEngine;
  messages: MessageStore;
  views: ConversationViews;
  notifier: Notifier;
  events: EventLog;
  transcripts: TranscriptHook;
  fallback?: StartFallback;
  now: () => Date;
}

/** Result plus the deliveries that must wait until the requester has its ack. */
export type WithDelivery<T> = T & { deliver: Deliver };

const noDelivery: Deliver = async () => undefined;

export function createChatService(deps: ChatDeps) {
  const { db, starts, engine, messages, views, notifier, events, now } = deps;
  const { Conversation, Visitor } = db.models;

  const openConversationOf = (visitorId: string) =>
    Conversation.findOne({ where: { visitorId, status: { [Op.ne]: 'closed' } }, order: [['createdAt', 'DESC']] });

  /** A visitor only ever sees their own conversations; others' look exactly like missing ones. */
  async function visitorConversation(visitorId: string, conversationId: string): Promise<ConversationModel> {
    const conversation = await Conversation.findByPk(conversationId);
    if (!conversation || conversation.visitorId !== visitorId) throw new NotFoundError('No such conversation.');
    return conversation;
  }

  /** What the hot paths (send, typing) need to know, read without building a model. */
  type Facts = { id: string; visitorId: string; status: ConversationModel['status']; assignedAgentId: number | null };
  const facts = (conversationId: string) =>
    Conversation.findByPk(conversationId, { attributes: ['id', 'visitorId', 'status', 'assignedAgentId'], raw: true }) as Promise<Facts | null>;

  async function visitorFacts(visitorId: string, conversationId: string): Promise<Facts> {
    const row = await facts(conversationId);
    if (!row || row.visitorId !== visitorId) throw new NotFoundError('No such conversation.');
    return row;
  }

  /** The one rule for agents' access: assigned agents write; supervisors may also read any. */
  function checkAgentAccess(user: AgentUser, row: Facts | null, need: 'read' | 'write'): asserts row is Facts {
    const assigned = row?.assignedAgentId === user.id;
    if (!row || (!assigned && !hasRole(user.role, 'supervisor'))) throw new NotFoundError('No such conversation.');
    if (need === 'write') {
      if (!assigned) throw new ConflictError('Only the agent serving this chat can write in it.');
      if (row.status !== 'active') throw new ConflictError(`The conversation is ${row.status}.`);
    }
  }

  async function agentFacts(user: AgentUser, conversationId: string, need: 'read' | 'write'): Promise<Facts> {
    const row = await facts(conversationId);
    checkAgentAccess(user, row, need);
    return row;
  }

  /**
   * Agents work on the conversations assigned to them; supervisors and admins may look at (and
   * close) any. To anyone else a conversation looks missing.
   */
  async function agentConversation(user: AgentUser, conversationId: string, need: 'read' | 'write'): Promise<ConversationModel> {
    const conversation = await Conversation.findByPk(conversationId);
    checkAgentAccess(user, conversation, need);
    return conversation;
  }

  async function close(conversation: ConversationModel, by: ClosedBy, actorId: string | number, actorName: string, exceptSocket: string): Promise<WithDelivery<{ conversation: ConversationModel }>> {
    if (conversation.status === 'closed') return { conversation, deliver: noDelivery };
    await conversation.update({ status: 'closed', closedAt: now(), closedBy: by });
    const notice = await messages.system(conversation.id, conversation.language, by === 'visitor' ? 'system.closedByVisitor' : 'system.closedByAgent', { agent: actorName });
    await events.record(conversation.id, 'closed', { type: by, id: actorId });
    return {
      conversation,
      deliver: async () => {
        notifier.conversationUpdatedForVisitor(conversation.visitorId, await views.visitorView(conversation), exceptSocket);
        notifier.conversationUpdatedForAgents(await views.agentView(conversation), exceptSocket);
        notifier.message(conversation.visitorId, notice);
        await engine.ended(conversation.id);
        await deps.transcripts.closed(conversation.id);
      },
    };
  }

  /** A start while a conversation is open: the same request retried gets it back, anything else is refused. */
  async function retriedStart(visitorId: string, openId: string, input: StartInput) {
    const open = await Conversation.findByPk(openId);
    const first = open ? await db.models.Message.findOne({ where: { conversationId: open.id }, order: [['id', 'ASC']] }) : null;
    if (open && first?.clientId === input.clientId && first.senderId === visitorId) {
      // The retry of a start that was stored but never queued (routing state unreachable right
      // after the commit; the visitor was told UNAVAILABLE): it joins the queue now.
      const stranded = open.status === 'queued' && (await engine.store.route(open.id)) === null;
      const queue = stranded ? await engine.enqueue(open) : await engine.queueStatus(open.id);
      return { conversation: await views.visitorView(open), message: first.toPublic(), queue, ticket: null, deliver: noDelivery };
    }
    throw new ConflictError('There is already an open conversation; resume it instead.');
  }

  const visitor = {
    async start(visitorId: string, input: StartInput, socketId: string): Promise<WithDelivery<{ conversation: Conversation; message: Message; queue: QueueStatus | null; ticket: TicketCreated | null }>> {
      const earlier = deps.fallback ? await deps.fallback.retried(visitorId, input.clientId) : null;
      if (earlier) return { ...earlier, queue: null, deliver: noDelivery };
      // Stored by group commit (startWriter): visitor details, the conversation and its first
      // message together or not at all; a burst of requests shares a few transactions.
      const at = now();
      const conversation = Conversation.build(
        {
          id: randomUUID(),
          visitorId,
          departmentId: input.departmentId,
          status: 'queued',
          channel: input.channel,
          language: input.language,
          assignedAgentId: null,
          customerNumber: input.customerNumber ?? null,
          ticketRef: input.ticketNumber ?? null,
          page: input.page ?? null,
          priority: 0,
          waitingSince: at,
          acceptedAt: null,
          closedAt: null,
          closedBy: null,
          visitorReadUpTo: 0,
          agentReadUpTo: 0,
          transcriptEmail: null,
          transcriptRequestedAt: null,
          createdAt: at,
          updatedAt: at,
        },
        { isNewRecord: false, raw: true },
      );
      const outcome = await starts.write({
        conversation,
        visitor: { name: input.name, email: input.email ?? null, language: input.language, customerNumber: input.customerNumber ?? null },
        clientId: input.clientId,
        text: input.text,
      });
      if (outcome.kind === 'open') return retriedStart(visitorId, outcome.conversationId, input);
      const { messageId } = outcome;
      const message: Message = {
        id: messageId,
        conversationId: conversation.id,
        clientId: input.clientId,
        senderType: 'visitor',
        senderName: input.name,
        body: input.text,
        internal: false,
        attachment: null,
        createdAt: at.toISOString(),
      };
      const decided = deps.fallback ? await deps.fallback.atStart(conversation, socketId) : { kind: 'queue' as const, deliver: undefined };
      if (decided.kind === 'ticket') return { conversation: decided.conversation, message, queue: null, ticket: decided.created, deliver: decided.deliver };
      const queue = await engine.enqueue(conversation, { visitorName: input.name, firstMessage: input.text });
      const publicView = await views.visitorView(conversation);
      return {
        conversation: publicView,
        message,
        queue,
        ticket: null,
        deliver: async () => {
          await decided.deliver?.();
          notifier.conversationUpdatedForVisitor(visitorId, publicView, socketId);
          engine.kick();
        },
      };
    },

    async resume(visitorId: string) {
      const open = await openConversationOf(visitorId);
      if (!open) return { conversation: null, messages: [], queue: null };
      return {
        conversation: await views.visitorView(open),
        messages: await views.messages(open.id, { withNotes: false, last: SYNC_PAGE_SIZE }),
        queue: await engine.queueStatus(open.id),
      };
    },

    async sync(visitorId: string, conversationId: string, afterId: number): Promise<Message[]> {
      await visitorConversation(visitorId, conversationId);
      return views.messages(conversationId, { afterId, withNotes: false });
    },

    async send(visitorId: string, input: SendInput, socketId: string): Promise<WithDelivery<{ message: Message; duplicate: boolean }>> {
      const result = await messages.storeOnce(
        { conversationId: input.conversationId, senderType: 'visitor', senderId: visitorId, senderName: null, clientId: input.clientId, body: input.text, internal: false, attachmentId: null },
        (facts) => {
          if (!facts || facts.visitorId !== visitorId) throw new NotFoundError('No such conversation.');
          if (facts.status === 'closed') throw new ConflictError('The conversation is closed.');
          return { senderName: facts.visitorName };
        },
      );
      return {
        message: result.message,
        duplicate: result.duplicate,
        deliver: async () => {
          if (!result.duplicate) notifier.message(visitorId, result.message, socketId);
        },
      };
    },

    async read(visitorId: string, conversationId: string, upToId: number): Promise<WithDelivery<{ upToId: number }>> {
      const conversation = await visitorConversation(visitorId, conversationId);
      const mark = Math.max(Number(conversation.visitorReadUpTo), upToId);
      if (mark === Number(conversation.visitorReadUpTo)) return { upToId: mark, deliver: noDelivery };
      await conversation.update({ visitorReadUpTo: mark });
      return {
        upToId: mark,
        deliver: async () => {
          notifier.read(visitorId, { conversationId, by: 'visitor', upToId: mark });
        },
      };
    },

    async typing(visitorId: string, conversationId: string, typing: boolean): Promise<void> {
      const conversation = await visitorFacts(visitorId, conversationId);
      if (conversation.status === 'closed') return;
      notifier.typing(visitorId, { conversationId, by: 'visitor', typing });
    },

    async end(visitorId: string, conversationId: string, socketId: string): Promise<WithDelivery<{ conversation: Conversation }>> {
      const conversation = await visitorConversation(visitorId, conversationId);
      const name = (await Visitor.findByPk(visitorId, { attributes: ['name'] }))?.name ?? '';
      const closed = await close(conversation, 'visitor', visitorId, name, socketId);
      return { conversation: await views.visitorView(closed.conversation), deliver: closed.deliver };
    },

    /** `address`: where the visitor asked from (the mail budgets' per-address key). */
    async transcript(visitorId: string, conversationId: string, email: string | undefined, address: string | null = null): Promise<{ requested: true; email: string; mailQueued: boolean }> {
      const conversation = await visitorConversation(visitorId, conversationId);
      const decided = await deps.transcripts.request(conversation, email ?? null, { visitorId, address });
      if (decided.first) await events.record(conversationId, 'transcript_requested', { type: 'visitor', id: visitorId });
      return { requested: true, email: decided.email, mailQueued: decided.mailQueued };
    },
  };

  const agent = {
    async list(user: AgentUser): Promise<AgentConversation[]> {
      const rows = await Conversation.findAll({ where: { assignedAgentId: user.id, status: 'active' }, order: [['acceptedAt', 'ASC']] });
      return views.toAgentViews(rows);
    },

    /** `view` when the caller has just built the agent's view of this conversation. */
    async detail(conversation: ConversationModel, view?: AgentConversation): Promise<ConversationDetail> {
      return {
        conversation: view ?? (await views.agentView(conversation)),
        messages: await views.messages(conversation.id, { withNotes: true, last: SYNC_PAGE_SIZE }),
        earlier: await views.earlier(conversation),
      };
    },

    async get(user: AgentUser, conversationId: string): Promise<ConversationDetail> {
      return agent.detail(await agentConversation(user, conversationId, 'read'));
    },

    async sync(user: AgentUser, conversationId: string, afterId: number): Promise<Message[]> {
      await agentConversation(user, conversationId, 'read');
      return views.messages(conversationId, { afterId, withNotes: true });
    },

    async send(user: AgentUser, input: SendInput, socketId: string, internal: boolean): Promise<WithDelivery<{ message: Message; duplicate: boolean }>> {
      const result = await messages.storeOnce(
        { conversationId: input.conversationId, senderType: 'agent', senderId: String(user.id), senderName: user.name, clientId: input.clientId, body: input.text, internal, attachmentId: null },
        (facts) => {
          checkAgentAccess(user, facts, internal ? 'read' : 'write');
          if (internal && facts!.status === 'closed') throw new ConflictError('The conversation is closed.');
        },
      );
      const visitorId = result.facts!.visitorId;
      return {
        message: result.message,
        duplicate: result.duplicate,
        deliver: async () => {
          if (result.duplicate) return;
          if (internal) notifier.note(result.message, socketId);
          else notifier.message(visitorId, result.message, socketId);
        },
      };
    },

    async read(user: AgentUser, conversationId: string, upToId: number): Promise<WithDelivery<{ upToId: number }>> {
      const conversation = await agentConversation(user, conversationId, 'read');
      if (conversation.assignedAgentId !== user.id) return { upToId: Number(conversation.agentReadUpTo), deliver: noDelivery };
      const mark = Math.max(Number(conversation.agentReadUpTo), upToId);
      if (mark === Number(conversation.agentReadUpTo)) return { upToId: mark, deliver: noDelivery };
      await conversation.update({ agentReadUpTo: mark });
      const read = { conversationId, by: 'agent' as const, upToId: mark };
      return {
        upToId: mark,
        deliver: async () => {
          notifier.read(conversation.visitorId, read);
        },
      };
    },

    async typing(user: AgentUser, conversationId: string, typing: boolean): Promise<void> {
      const conversation = await agentFacts(user, conversationId, 'write');
      notifier.typing(conversation.visitorId, { conversationId, by: 'agent', typing });
    },

    /**
     * The serving agent confirms the customer number the visitor gave (the one the agent saw):
     * from then on it is the visitor's, and conversations are linked by it (customerNumbers.ts).
     */
    async verifyCustomer(user: AgentUser, conversationId: string, seen: string, socketId: string): Promise<WithDelivery<{ conversation: AgentConversation; earlier: EarlierConversation[] }>> {
      const conversation = await agentConversation(user, conversationId, 'write');
      const customerNumber = await views.customerNumberOf(conversation);
      if (!customerNumber) throw new ConflictError('The visitor gave no customer number.');
      if (customerNumber !== seen) throw new ConflictError('The customer number has changed; check it again.');
      const added = await views.customerNumbers.verify({ visitorId: conversation.visitorId, customerNumber, method: 'agent', verifiedBy: user.id, conversationId, at: now() });
      if (added) await events.record(conversationId, 'customer_number_verified', { type: 'agent', id: user.id }, { customerNumber });
      const view = await views.agentView(conversation);
      return {
        conversation: view,
        earlier: await views.earlier(conversation),
        deliver: async () => {
          if (added) notifier.conversationUpdatedForAgents(view, socketId);
        },
      };
    },

    async close(user: AgentUser, conversationId: string, socketId: string): Promise<WithDelivery<{ conversation: AgentConversation }>> {
      const conversation = await agentConversation(user, conversationId, 'read');
      const closed = await close(conversation, 'agent', user.id, user.name, socketId);
      return { conversation: await views.agentView(closed.conversation), deliver: closed.deliver };
    },
  };

  return { visitor, agent, visitorConversation, agentConversation };
}

export type ChatService = ReturnType<typeof createChatService>;
