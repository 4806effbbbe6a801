import { randomUUID } from 'node:crypto';
import { Op } from 'sequelize';
import type { z } from 'zod';
import type { ConversationDetail } from '../../../shared/events/agent.js';
import type { AgentConversation, Conversation, Message, conversationStartSchema, messageSendSchema } from '../../../shared/schemas/chat.js';
import type { QueueStatus } from '../../../shared/schemas/routing.js';
import { hasRole } from '../auth/middleware.js';
import type { EventLog } from '../conversations/eventLog.js';
import type { ConversationViews } from '../conversations/views.js';
import type { Database } from '../db/database.js';
import type { ClosedBy, ConversationModel } from '../db/models/index.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors/errors.js';
import type { Notifier } from '../routing/notifier.js';
import type { Deliver, RoutingEngine } from '../routing/routingEngine.js';
import type { AgentUser } from '../socket/agentNamespace.js';
import type { MessageStore } from './messageStore.js';

/** How many messages one sync or resume returns at most; clients page on with the last id. */
export const SYNC_PAGE_SIZE = 500;

type StartInput = z.output<typeof conversationStartSchema>;
type SendInput = z.output<typeof messageSendSchema>;

/** Something that wants to know when a visitor asks for a transcript (e-mail comes with tickets). */
export interface TranscriptHook {
  requested(conversationId: string, email: string): Promise<void>;
}

export interface ChatDeps {
  db: Database;
  engine: RoutingEngine;
  messages: MessageStore;
  views: ConversationViews;
  notifier: Notifier;
  events: EventLog;
  transcripts: TranscriptHook;
  now: () => Date;
}

/** Result plus the deliveries that must wait until the requester has its ack. */
export type WithDelivery<T> = T & { deliver: Deliver };

const noDelivery: Deliver = async () => undefined;

export function createChatService(deps: ChatDeps) {
  const { db, engine, messages, views, notifier, events, now } = deps;
  const { Conversation, Visitor, Department } = db.models;

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

  async function agentFacts(user: AgentUser, conversationId: string, need: 'read' | 'write'): Promise<Facts> {
    const row = await facts(conversationId);
    const assigned = row?.assignedAgentId === user.id;
    if (!row || (!assigned && !hasRole(user.role, 'supervisor'))) throw new NotFoundError('No such conversation.');
    if (need === 'write') {
      if (!assigned) throw new ConflictError('Only the agent serving this chat can write in it.');
      if (row.status !== 'active') throw new ConflictError(`The conversation is ${row.status}.`);
    }
    return row;
  }

  /**
   * Agents work on the conversations assigned to them; supervisors and admins may look at (and
   * close) any. To anyone else a conversation looks missing.
   */
  async function agentConversation(user: AgentUser, conversationId: string, need: 'read' | 'write'): Promise<ConversationModel> {
    const conversation = await Conversation.findByPk(conversationId);
    const assigned = conversation?.assignedAgentId === user.id;
    if (!conversation || (!assigned && !hasRole(user.role, 'supervisor'))) throw new NotFoundError('No such conversation.');
    if (need === 'write') {
      if (!assigned) throw new ConflictError('Only the agent serving this chat can write in it.');
      if (conversation.status !== 'active') throw new ConflictError(`The conversation is ${conversation.status}.`);
    }
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
      },
    };
  }

  const visitor = {
    async start(visitorId: string, input: StartInput, socketId: string): Promise<WithDelivery<{ conversation: Conversation; message: Message; queue: QueueStatus | null }>> {
      const open = await openConversationOf(visitorId);
      if (open) {
        const first = await db.models.Message.findOne({ where: { conversationId: open.id }, order: [['id', 'ASC']] });
        if (first?.clientId === input.clientId && first.senderId === visitorId) {
          return { conversation: await views.visitorView(open), message: first.toPublic(), queue: await engine.queueStatus(open.id), deliver: noDelivery };
        }
        throw new ConflictError('There is already an open conversation; resume it instead.');
      }
      const department = await Department.findByPk(input.departmentId, { attributes: ['id'] });
      if (!department) throw new ValidationError([{ path: 'departmentId', message: 'unknown department' }]);

      const { conversation, message } = await db.sequelize.transaction(async (transaction) => {
        const at = now();
        await Visitor.update(
          { name: input.name, email: input.email ?? null, language: input.language, lastSeenAt: at, ...(input.customerNumber ? { customerNumber: input.customerNumber } : {}) },
          { where: { id: visitorId }, transaction },
        );
        const conversation = await Conversation.create(
          {
            id: randomUUID(),
            visitorId,
            departmentId: department.id,
            status: 'queued',
            language: input.language,
            assignedAgentId: null,
            customerNumber: input.customerNumber ?? null,
            ticketRef: input.ticketNumber ?? null,
            page: input.page ?? null,
            waitingSince: at,
            closedAt: null,
            createdAt: at,
            updatedAt: at,
          },
          { transaction },
        );
        const message = await db.models.Message.create(
          { conversationId: conversation.id, senderType: 'visitor', senderId: visitorId, senderName: input.name, clientId: input.clientId, body: input.text, internal: false, attachmentId: null, createdAt: at },
          { transaction },
        );
        return { conversation, message: message.toPublic() };
      });
      const queue = await engine.enqueue(conversation, { visitorName: input.name, firstMessage: input.text });
      const publicView = await views.visitorView(conversation);
      return {
        conversation: publicView,
        message,
        queue,
        deliver: async () => {
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
      const conversation = await visitorFacts(visitorId, input.conversationId);
      if (conversation.status === 'closed') throw new ConflictError('The conversation is closed.');
      const person = (await Visitor.findByPk(visitorId, { attributes: ['name'], raw: true })) as { name: string | null } | null;
      const result = await messages.storeOnce({
        conversationId: conversation.id,
        senderType: 'visitor',
        senderId: visitorId,
        senderName: person?.name ?? null,
        clientId: input.clientId,
        body: input.text,
        internal: false,
        attachmentId: null,
      });
      return {
        ...result,
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
          notifier.readToAgents({ conversationId, by: 'visitor', upToId: mark });
        },
      };
    },

    async typing(visitorId: string, conversationId: string, typing: boolean): Promise<void> {
      const conversation = await visitorFacts(visitorId, conversationId);
      if (conversation.status === 'closed') return;
      notifier.typingToAgents({ conversationId, by: 'visitor', typing });
    },

    async end(visitorId: string, conversationId: string, socketId: string): Promise<WithDelivery<{ conversation: Conversation }>> {
      const conversation = await visitorConversation(visitorId, conversationId);
      const name = (await Visitor.findByPk(visitorId, { attributes: ['name'] }))?.name ?? '';
      const closed = await close(conversation, 'visitor', visitorId, name, socketId);
      return { conversation: await views.visitorView(closed.conversation), deliver: closed.deliver };
    },

    async transcript(visitorId: string, conversationId: string, email: string | undefined): Promise<{ requested: true; email: string }> {
      const conversation = await visitorConversation(visitorId, conversationId);
      const to = email ?? (await Visitor.findByPk(visitorId, { attributes: ['email'] }))?.email ?? null;
      if (!to) throw new ValidationError([{ path: 'email', message: 'an e-mail address is needed to send the transcript' }]);
      await conversation.update({ transcriptEmail: to, transcriptRequestedAt: now() });
      await events.record(conversationId, 'transcript_requested', { type: 'visitor', id: visitorId });
      await deps.transcripts.requested(conversationId, to);
      return { requested: true, email: to };
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
      const conversation = await agentFacts(user, input.conversationId, internal ? 'read' : 'write');
      if (internal && conversation.status === 'closed') throw new ConflictError('The conversation is closed.');
      const result = await messages.storeOnce({
        conversationId: conversation.id,
        senderType: 'agent',
        senderId: String(user.id),
        senderName: user.name,
        clientId: input.clientId,
        body: input.text,
        internal,
        attachmentId: null,
      });
      return {
        ...result,
        deliver: async () => {
          if (result.duplicate) return;
          if (internal) notifier.note(result.message, socketId);
          else notifier.message(conversation.visitorId, result.message, socketId);
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
          notifier.readToVisitor(conversation.visitorId, read);
          notifier.readToAgents(read);
        },
      };
    },

    async typing(user: AgentUser, conversationId: string, typing: boolean): Promise<void> {
      const conversation = await agentFacts(user, conversationId, 'write');
      notifier.typingToVisitor(conversation.visitorId, { conversationId, by: 'agent', typing });
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
