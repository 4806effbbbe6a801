import type { ConversationEvent, ConversationEventType } from '../../../shared/schemas/timeline.js';
import type { Database } from '../db/database.js';

/** The `data` column holds a JSON object; anything else (older or damaged rows) reads as null. */
function parseData(raw: string | null): Record<string, unknown> | null {
  if (raw === null) return null;
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Reads a conversation's stored steps for the console's timeline and the REST API. */
export function createTimeline(db: Database) {
  const { ConversationEvent: Row, User, Visitor } = db.models;

  return {
    async events(conversationId: string): Promise<ConversationEvent[]> {
      const rows = await Row.findAll({ where: { conversationId }, order: [['id', 'ASC']], limit: 1000 });
      const agentIds = [...new Set(rows.filter((r) => r.actorType === 'agent' && r.actorId).map((r) => Number(r.actorId)))];
      const visitorIds = [...new Set(rows.filter((r) => r.actorType === 'visitor' && r.actorId).map((r) => r.actorId!))];
      const agents = new Map((agentIds.length ? await User.findAll({ where: { id: agentIds }, attributes: ['id', 'name'] }) : []).map((u) => [String(u.id), u.name]));
      const visitors = new Map((visitorIds.length ? await Visitor.findAll({ where: { id: visitorIds }, attributes: ['id', 'name'] }) : []).map((v) => [v.id, v.name]));
      return rows.map((r) => ({
        id: Number(r.id),
        conversationId: r.conversationId,
        type: r.type as ConversationEventType,
        actor: {
          type: r.actorType,
          id: r.actorId,
          name: r.actorId === null ? null : ((r.actorType === 'agent' ? agents.get(r.actorId) : visitors.get(r.actorId)) ?? null),
        },
        data: parseData(r.data),
        createdAt: r.createdAt.toISOString(),
      }));
    },
  };
}

export type Timeline = ReturnType<typeof createTimeline>;
