import { randomUUID } from 'node:crypto';
import { Op, UniqueConstraintError } from 'sequelize';
import type { z } from 'zod';
import type { Conversation, Message, conversationStartSchema, messageSendSchema } from '../../../shared/schemas/chat.js';
import type { Database } from '../db/database.js';
import type { ConversationModel, MessageModel } from '../db/models/index.js';
import type { InferCreationAttributes } from 'sequelize';

type NewMessage = Omit<InferCreationAttributes<MessageModel>, 'id' | 'createdAt'>;
import { ConflictError, NotFoundError, ValidationError } from '../errors/errors.js';

/** How many messages one sync or resume returns at most; clients page on with the last id. */
export const SYNC_PAGE_SIZE = 500;

export interface ChatService {
  start(visitorId: string, input: z.output<typeof conversationStartSchema>): Promise<{ conversation: Conversation; message: Message; created: boolean }>;
  resume(visitorId: string): Promise<{ conversation: Conversation | null; messages: Message[] }>;
  sync(visitorId: string, conversationId: string, afterId: number): Promise<Message[]>;
  sendAsVisitor(visitorId: string, input: z.output<typeof messageSendSchema>): Promise<{ message: Message; duplicate: boolean }>;
}

export function createChatService(db: Database, now: () => Date = () => new Date()): ChatService {
  const { Conversation, Message, Visitor, Department } = db.models;

  const openConversationOf = (visitorId: string) =>
    Conversation.findOne({ where: { visitorId, status: { [Op.ne]: 'closed' } }, order: [['createdAt', 'DESC']] });

  /** A visitor only ever sees their own conversations; others' look exactly like missing ones. */
  async function ownConversation(visitorId: string, conversationId: string): Promise<ConversationModel> {
    const conversation = await Conversation.findByPk(conversationId);
    if (!conversation || conversation.visitorId !== visitorId) throw new NotFoundError('No such conversation.');
    return conversation;
  }

  const messagesAfter = (conversationId: string, afterId: number) =>
    Message.findAll({
      where: { conversationId, id: { [Op.gt]: afterId } },
      order: [['id', 'ASC']],
      limit: SYNC_PAGE_SIZE,
    });

  /** Stores a message once per (conversation, clientId); a retry gets the stored one back. */
  async function storeOnce(values: NewMessage): Promise<{ row: MessageModel; duplicate: boolean }> {
    try {
      return { row: await Message.create({ ...values, createdAt: now() }), duplicate: false };
    } catch (error) {
      if (!(error instanceof UniqueConstraintError)) throw error;
      const existing = await Message.findOne({ where: { conversationId: values.conversationId, clientId: values.clientId } });
      if (!existing || existing.senderType !== values.senderType || existing.senderId !== values.senderId) {
        throw new ConflictError('That client id is already used in this conversation.');
      }
      return { row: existing, duplicate: true };
    }
  }

  return {
    async start(visitorId, input) {
      const open = await openConversationOf(visitorId);
      if (open) {
        const first = await Message.findOne({ where: { conversationId: open.id }, order: [['id', 'ASC']] });
        if (first?.clientId === input.clientId && first.senderId === visitorId) {
          return { conversation: open.toPublic(), message: first.toPublic(), created: false };
        }
        throw new ConflictError('There is already an open conversation; resume it instead.');
      }
      const department = await Department.findByPk(input.departmentId, { attributes: ['id'] });
      if (!department) throw new ValidationError([{ path: 'departmentId', message: 'unknown department' }]);

      return db.sequelize.transaction(async (transaction) => {
        const at = now();
        await Visitor.update(
          { name: input.name, email: input.email ?? null, language: input.language, lastSeenAt: at },
          { where: { id: visitorId }, transaction },
        );
        const conversation = await Conversation.create(
          { id: randomUUID(), visitorId, departmentId: department.id, status: 'queued', language: input.language, assignedAgentId: null, closedAt: null, createdAt: at, updatedAt: at },
          { transaction },
        );
        const message = await Message.create(
          { conversationId: conversation.id, senderType: 'visitor', senderId: visitorId, senderName: input.name, clientId: input.clientId, body: input.text, createdAt: at },
          { transaction },
        );
        return { conversation: conversation.toPublic(), message: message.toPublic(), created: true };
      });
    },

    async resume(visitorId) {
      const open = await openConversationOf(visitorId);
      if (!open) return { conversation: null, messages: [] };
      const messages = await Message.findAll({ where: { conversationId: open.id }, order: [['id', 'DESC']], limit: SYNC_PAGE_SIZE });
      return { conversation: open.toPublic(), messages: messages.reverse().map((m) => m.toPublic()) };
    },

    async sync(visitorId, conversationId, afterId) {
      await ownConversation(visitorId, conversationId);
      return (await messagesAfter(conversationId, afterId)).map((m) => m.toPublic());
    },

    async sendAsVisitor(visitorId, input) {
      const conversation = await ownConversation(visitorId, input.conversationId);
      if (conversation.status === 'closed') throw new ConflictError('The conversation is closed.');
      const visitor = await Visitor.findByPk(visitorId, { attributes: ['name'] });
      const { row, duplicate } = await storeOnce({
        conversationId: conversation.id,
        senderType: 'visitor',
        senderId: visitorId,
        senderName: visitor?.name ?? null,
        clientId: input.clientId,
        body: input.text,
      });
      return { message: row.toPublic(), duplicate };
    },
  };
}
