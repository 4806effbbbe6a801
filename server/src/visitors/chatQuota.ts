import { DataTypes, Model, Op, QueryTypes, type InferAttributes, type InferCreationAttributes } from 'sequelize';
import type { Database } from '../db/database.js';
import { RateLimitedError } from '../errors/errors.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Refund, VisitorQuotas } from './quotas.js';

/** The metrics label of the open-chats cap (docs/limits.md). */
export const OPEN_CHATS_LIMIT = 'chats-open-per-address';
/** What a refused start is told: open chats end at no predictable time; a minute is a fair pause. */
const OPEN_CHATS_RETRY_SECONDS = 60;
/** Origins are personal data: kept a day, and a chat open longer no longer counts against its address. */
const ORIGIN_TTL_MS = 86_400_000;

class ChatOrigin extends Model<InferAttributes<ChatOrigin>, InferCreationAttributes<ChatOrigin>> {
  declare conversationId: string;
  declare address: string;
  declare createdAt: Date;
}

export interface ChatStartQuota {
  /**
   * Before a visitor starts a chat: refuses (RATE_LIMITED) when the address already has
   * OPEN_CHATS_PER_ADDRESS chats waiting or being served, or starts chats too fast. Returns the
   * refund for a start that then does not happen. A visitor with an open chat is never refused for
   * the cap (the start is a retry, which gets that chat back, or is refused as a CONFLICT anyway).
   */
  admit(visitorId: string, address: string): Promise<Refund>;
  /** The chat was stored and waits (or is served): it counts as open for its address until it closes. */
  started(conversationId: string, address: string): Promise<void>;
  /** Forgets origins older than a day; returns how many. */
  prune(): Promise<number>;
}

const nothingToRefund: Refund = async () => undefined;

/**
 * The cap on open chats per address: the chats' origins are rows (chat_origins), counted against
 * the conversations still open, so the count is right on every node and heals itself when chats
 * end by any path. The count is not atomic; the start rates (atomic, in the limit store) bound what
 * a burst can add past it.
 */
export function createChatStartQuota(deps: { db: Database; quotas: Pick<VisitorQuotas, 'chatStart' | 'openChatsPerAddress'>; metrics: Metrics; now: () => Date }): ChatStartQuota {
  const { db, quotas, metrics, now } = deps;
  const Origin = class extends ChatOrigin {};
  Origin.init(
    {
      conversationId: { type: DataTypes.CHAR(36), primaryKey: true },
      address: { type: DataTypes.STRING(64), allowNull: false },
      createdAt: { type: DataTypes.DATE(3), allowNull: false },
    },
    { sequelize: db.sequelize, tableName: 'chat_origins', underscored: true, timestamps: false },
  );
  const keyOf = (address: string) => address.slice(0, 64);

  async function openChats(address: string): Promise<number> {
    const [row] = await db.sequelize.query<{ n: number | string }>(
      "SELECT COUNT(*) AS n FROM chat_origins o JOIN conversations c ON c.id = o.conversation_id WHERE o.address = ? AND o.created_at > ? AND c.status <> 'closed'",
      { replacements: [keyOf(address), new Date(now().getTime() - ORIGIN_TTL_MS)], type: QueryTypes.SELECT },
    );
    return Number(row?.n ?? 0);
  }

  return {
    async admit(visitorId, address) {
      // Whether the visitor has an open chat is looked at only before refusing, to keep the hot path short.
      const ownOpen = async () => Boolean(await db.models.Conversation.findOne({ where: { visitorId, status: { [Op.ne]: 'closed' } }, attributes: ['id'] }));
      if ((await openChats(address)) >= quotas.openChatsPerAddress) {
        if (await ownOpen()) return nothingToRefund;
        metrics.limitRefusals.inc({ limit: OPEN_CHATS_LIMIT });
        throw new RateLimitedError(OPEN_CHATS_RETRY_SECONDS);
      }
      try {
        return await quotas.chatStart(address);
      } catch (error) {
        if (error instanceof RateLimitedError && (await ownOpen())) return nothingToRefund;
        throw error;
      }
    },
    async started(conversationId, address) {
      await Origin.bulkCreate([{ conversationId, address: keyOf(address), createdAt: now() }], { ignoreDuplicates: true });
    },
    prune: () => Origin.destroy({ where: { createdAt: { [Op.lt]: new Date(now().getTime() - ORIGIN_TTL_MS) } } }),
  };
}
