import type { Transfer } from '../../../shared/schemas/transfer.js';
import type { Database } from '../db/database.js';
import type { TransferModel } from './models.js';

/** Builds the shared Transfer shape from rows: names of the agents and the visitor, in few queries. */
export function createTransferViews(db: Database) {
  const { User, Conversation, Visitor } = db.models;

  async function toTransfers(rows: TransferModel[]): Promise<Transfer[]> {
    if (rows.length === 0) return [];
    const userIds = [...new Set(rows.flatMap((r) => [r.fromAgentId, r.toAgentId, r.requestedBy]).filter((id): id is number => id !== null))];
    const names = new Map((await User.findAll({ where: { id: userIds }, attributes: ['id', 'name'] })).map((u) => [u.id, u.name]));
    const conversations = new Map(
      (await Conversation.findAll({ where: { id: [...new Set(rows.map((r) => r.conversationId))] }, attributes: ['id', 'visitorId', 'language'] })).map((c) => [c.id, c]),
    );
    const visitors = new Map(
      (await Visitor.findAll({ where: { id: [...new Set([...conversations.values()].map((c) => c.visitorId))] }, attributes: ['id', 'name'] })).map((v) => [v.id, v.name]),
    );
    const name = (id: number | null) => (id === null ? null : (names.get(id) ?? null));
    return rows.map((r) => {
      const conversation = conversations.get(r.conversationId);
      return {
        id: r.id,
        conversationId: r.conversationId,
        kind: r.kind,
        status: r.status,
        fromAgentId: r.fromAgentId,
        fromAgentName: name(r.fromAgentId),
        toAgentId: r.toAgentId,
        toAgentName: name(r.toAgentId),
        fromDepartmentId: r.fromDepartmentId,
        toDepartmentId: r.toDepartmentId,
        requestedById: r.requestedBy,
        requestedByName: name(r.requestedBy),
        note: r.note,
        forced: Boolean(r.forced),
        declineMessage: r.declineMessage ?? null,
        cancelCause: r.cancelCause ?? null,
        visitorName: conversation ? (visitors.get(conversation.visitorId) ?? null) : null,
        language: conversation?.language ?? '',
        createdAt: r.createdAt.toISOString(),
        expiresAt: r.status === 'pending' && r.expiresAt ? r.expiresAt.toISOString() : null,
        resolvedAt: r.resolvedAt?.toISOString() ?? null,
      };
    });
  }

  return {
    toTransfers,
    transfer: async (row: TransferModel): Promise<Transfer> => (await toTransfers([row]))[0]!,
  };
}

export type TransferViews = ReturnType<typeof createTransferViews>;
