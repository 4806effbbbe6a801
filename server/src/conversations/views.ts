import { fn, col, Op } from 'sequelize';
import type { AgentConversation, EarlierConversation, Message } from '../../../shared/schemas/chat.js';
import type { Database } from '../db/database.js';
import type { ConversationModel } from '../db/models/index.js';
import { createCustomerNumbers } from './customerNumbers.js';

/** Builds the agent-side view of conversations (visitor context, assignee, read marks). */
export function createConversationViews(db: Database) {
  const { Conversation, Visitor, User, Message: MessageRow, Attachment } = db.models;
  const customerNumbers = createCustomerNumbers(db.sequelize);

  /** The customer number shown for a conversation: the one given for it, else the visitor's last one. */
  async function customerNumberOf(conversation: ConversationModel): Promise<string | null> {
    if (conversation.customerNumber) return conversation.customerNumber;
    return (await Visitor.findByPk(conversation.visitorId, { attributes: ['customerNumber'] }))?.customerNumber ?? null;
  }

  async function agentNames(ids: Array<number | null>): Promise<Map<number, string>> {
    const wanted = [...new Set(ids.filter((id): id is number => id !== null))];
    if (wanted.length === 0) return new Map();
    const users = await User.findAll({ where: { id: wanted }, attributes: ['id', 'name'] });
    return new Map(users.map((u) => [u.id, u.name]));
  }

  async function lastMessageIds(ids: string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const rows = (await MessageRow.findAll({
      where: { conversationId: ids },
      attributes: ['conversationId', [fn('MAX', col('id')), 'lastId']],
      group: ['conversationId'],
      raw: true,
    })) as unknown as Array<{ conversationId: string; lastId: number | string }>;
    return new Map(rows.map((r) => [r.conversationId, Number(r.lastId)]));
  }

  /** `knownNames`: agent names the caller already has (saves a query on the accept path). */
  async function toAgentViews(conversations: ConversationModel[], knownNames?: Map<number, string>): Promise<AgentConversation[]> {
    if (conversations.length === 0) return [];
    const visitors = new Map(
      (await Visitor.findAll({ where: { id: [...new Set(conversations.map((c) => c.visitorId))] } })).map((v) => [v.id, v]),
    );
    const unknown = conversations.map((c) => c.assignedAgentId).filter((id) => id !== null && !knownNames?.has(id));
    const names = new Map([...(knownNames ?? []), ...(await agentNames(unknown))]);
    const lastIds = await lastMessageIds(conversations.map((c) => c.id));
    const numberOf = (c: ConversationModel) => c.customerNumber ?? visitors.get(c.visitorId)?.customerNumber ?? null;
    const verified = await customerNumbers.verifiedPairs(conversations.map((c) => ({ visitorId: c.visitorId, customerNumber: numberOf(c) })));
    return conversations.map((c) => {
      const v = visitors.get(c.visitorId);
      return {
        id: c.id,
        departmentId: c.departmentId,
        status: c.status,
        channel: c.channel,
        language: c.language,
        assignedAgentId: c.assignedAgentId,
        assignedAgentName: c.assignedAgentId === null ? null : (names.get(c.assignedAgentId) ?? null),
        ticketRef: c.ticketRef ?? null,
        visitor: {
          id: c.visitorId,
          name: v?.name ?? null,
          email: v?.email ?? null,
          customerNumber: numberOf(c),
          customerNumberVerified: verified(c.visitorId, numberOf(c)),
          language: v?.language ?? null,
          page: c.page ?? null,
        },
        createdAt: c.createdAt.toISOString(),
        waitingSince: c.waitingSince.toISOString(),
        acceptedAt: c.acceptedAt?.toISOString() ?? null,
        closedAt: c.closedAt?.toISOString() ?? null,
        closedBy: c.closedBy ?? null,
        visitorReadUpTo: Number(c.visitorReadUpTo ?? 0),
        agentReadUpTo: Number(c.agentReadUpTo ?? 0),
        lastMessageId: lastIds.get(c.id) ?? 0,
      };
    });
  }

  return {
    toAgentViews,
    customerNumbers,
    customerNumberOf,
    async agentView(conversation: ConversationModel, knownNames?: Map<number, string>): Promise<AgentConversation> {
      return (await toAgentViews([conversation], knownNames))[0]!;
    },
    /** The visitor's view: the serving agent's display name included. */
    async visitorView(conversation: ConversationModel) {
      const name = conversation.assignedAgentId === null ? null : ((await User.findByPk(conversation.assignedAgentId, { attributes: ['name'] }))?.name ?? null);
      return conversation.toPublic(name);
    },
    /** Messages after `afterId` in id order; internal notes only when `withNotes`. */
    async messages(conversationId: string, opts: { afterId?: number; withNotes: boolean; last?: number }): Promise<Message[]> {
      const where = {
        conversationId,
        ...(opts.afterId !== undefined ? { id: { [Op.gt]: opts.afterId } } : {}),
        ...(opts.withNotes ? {} : { internal: false }),
      };
      const include = [{ model: Attachment, as: 'attachment', required: false }];
      if (opts.last !== undefined) {
        const rows = await MessageRow.findAll({ where, include, order: [['id', 'DESC']], limit: opts.last });
        return rows.reverse().map((m) => m.toPublic());
      }
      const rows = await MessageRow.findAll({ where, include, order: [['id', 'ASC']], limit: 500 });
      return rows.map((m) => m.toPublic());
    },
    /**
     * Earlier conversations of the same visitor, newest first; and of the same customer number
     * once that number is confirmed for this visitor, then of the visitors confirmed for it only.
     * A number the visitor merely typed shows nothing of anyone else (customerNumbers.ts).
     */
    async earlier(conversation: ConversationModel): Promise<EarlierConversation[]> {
      const who: Array<Record<string, unknown>> = [{ visitorId: conversation.visitorId }];
      const customerNumber = await customerNumberOf(conversation);
      const linked = customerNumber ? await customerNumbers.linkedVisitors(conversation.visitorId, customerNumber) : [];
      if (customerNumber && linked.length > 0) who.push({ customerNumber, visitorId: linked });
      const rows = await Conversation.findAll({
        where: { [Op.or]: who, id: { [Op.ne]: conversation.id } },
        order: [['createdAt', 'DESC']],
        limit: 20,
      });
      const names = await agentNames(rows.map((r) => r.assignedAgentId));
      // Two queries for all first messages, not one per earlier conversation.
      const firstIds = rows.length
        ? ((await MessageRow.findAll({
            where: { conversationId: rows.map((r) => r.id), internal: false },
            attributes: ['conversationId', [fn('MIN', col('id')), 'firstId']],
            group: ['conversationId'],
            raw: true,
          })) as unknown as Array<{ conversationId: string; firstId: number | string }>)
        : [];
      const bodies = firstIds.length
        ? await MessageRow.findAll({ where: { id: firstIds.map((f) => Number(f.firstId)) }, attributes: ['conversationId', 'body'], raw: true })
        : [];
      const firsts = new Map((bodies as unknown as Array<{ conversationId: string; body: string }>).map((m) => [m.conversationId, m.body.slice(0, 200)]));
      return rows.map((r) => ({
        id: r.id,
        departmentId: r.departmentId,
        status: r.status,
        createdAt: r.createdAt.toISOString(),
        assignedAgentName: r.assignedAgentId === null ? null : (names.get(r.assignedAgentId) ?? null),
        firstMessage: firsts.get(r.id) ?? '',
      }));
    },
  };
}

export type ConversationViews = ReturnType<typeof createConversationViews>;
