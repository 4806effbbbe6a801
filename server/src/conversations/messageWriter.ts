import { UniqueConstraintError } from 'sequelize';
import type { Message } from '../../../shared/schemas/chat.js';
import type { Database } from '../db/database.js';
import type { ConversationModel } from '../db/models/index.js';
import { insertRows } from '../db/insertRows.js';
import type { SqlRunner, SqlTx } from '../db/sqlRunner.js';
import { ConflictError } from '../errors/errors.js';
import type { Logger } from '../log/logger.js';
import type { NewMessage } from './messageStore.js';

/** What a sender's right to write is decided on, read in the transaction that stores the message. */
export interface ConversationFacts {
  id: string;
  visitorId: string;
  status: ConversationModel['status'];
  assignedAgentId: number | null;
  visitorName: string | null;
}

/**
 * Throws (a typed error) when the sender may not write into the conversation; may return the
 * sender's name when it comes from the conversation (a visitor's name from the pre-chat form).
 * `null` facts: the conversation does not exist.
 */
export type Authorize = (facts: ConversationFacts | null) => { senderName: string | null } | void;

export interface WriteResult {
  message: Message;
  duplicate: boolean;
  /** The conversation as the write saw it; null for unchecked writes. */
  facts: ConversationFacts | null;
}

interface Pending {
  values: NewMessage & { createdAt: Date };
  authorize: Authorize | undefined;
  resolve(result: WriteResult): void;
  reject(error: unknown): void;
}

export interface MessageWriterOptions {
  /** Most rows in one INSERT. */
  maxBatch: number;
  /** Batches written at the same time (each on its own connection). */
  maxInFlight: number;
}

/** Column order of `params`. */
export const MESSAGE_COLUMNS = ['conversation_id', 'sender_type', 'sender_id', 'sender_name', 'client_id', 'body', 'internal', 'attachment_id', 'created_at'] as const;

const isUniqueViolation = (error: unknown) => error instanceof UniqueConstraintError || (error as { code?: string } | null)?.code === 'ER_DUP_ENTRY';

/**
 * Group commit for chat messages. A message is acknowledged only after the transaction that
 * stores it has committed; messages arriving while earlier batches are being written wait and go
 * out together: one query reads the facts every sender's right is checked against, one multi-row
 * INSERT stores them, one commit (one log flush) makes them durable. An idle server writes each
 * message at once, so latency stays low; under load the batches grow and throughput follows.
 *
 * The right to write is checked inside the same transaction (the conversation rows are read with
 * a shared lock on MySQL), so a message cannot slip in after a close or a transfer committed.
 *
 * Idempotency stays with the database's unique key (conversation, clientId): when a batch's INSERT
 * hits it (a client retrying a message stored earlier), the batch is written one row at a time
 * and the retried message resolves to the stored one.
 */
export function createMessageWriter(db: Database, sql: SqlRunner, log: Logger, options: MessageWriterOptions) {
  const { Message: Row, Attachment } = db.models;
  const waiting: Pending[] = [];
  let inFlight = 0;
  const shareLock = sql.dialect === 'mysql' ? ' LOCK IN SHARE MODE' : '';

  const key = (v: { conversationId: string; clientId: string | null }) => `${v.conversationId}\u0000${v.clientId}`;

  async function readFacts(tx: SqlTx, batch: Pending[]): Promise<Map<string, ConversationFacts>> {
    const ids = [...new Set(batch.filter((p) => p.authorize).map((p) => p.values.conversationId))];
    if (ids.length === 0) return new Map();
    const rows = await tx.rows<{ id: string; visitor_id: string; status: ConversationFacts['status']; assigned_agent_id: number | null; visitor_name: string | null }>(
      `SELECT c.id, c.visitor_id, c.status, c.assigned_agent_id, v.name AS visitor_name FROM conversations c JOIN visitors v ON v.id = c.visitor_id WHERE c.id IN (${ids.map(() => '?').join(', ')})${shareLock}`,
      ids,
    );
    return new Map(
      rows.map((r) => [r.id, { id: r.id, visitorId: r.visitor_id, status: r.status, assignedAgentId: r.assigned_agent_id === null ? null : Number(r.assigned_agent_id), visitorName: r.visitor_name }]),
    );
  }

  const params = (v: Pending['values']) => [v.conversationId, v.senderType, v.senderId, v.senderName, v.clientId, v.body, v.internal ? 1 : 0, v.attachmentId ?? null, v.createdAt];

  /** Stores the rows and returns their ids in the rows' order. */
  const insert = (tx: SqlTx, rows: Array<Pending['values']>) => insertRows(sql, tx, 'messages', MESSAGE_COLUMNS, rows.map(params));

  async function attachments(messages: Array<{ message: Message; attachmentId: string | null | undefined }>): Promise<void> {
    const ids = [...new Set(messages.map((m) => m.attachmentId).filter((id): id is string => Boolean(id)))];
    if (ids.length === 0) return;
    const found = new Map((await Attachment.findAll({ where: { id: ids } })).map((a) => [a.id, a.toPublic()]));
    for (const m of messages) if (m.attachmentId) m.message.attachment = found.get(m.attachmentId) ?? null;
  }

  const toMessage = (id: number, v: Pending['values']): Message => ({
    id,
    conversationId: v.conversationId,
    clientId: v.clientId,
    senderType: v.senderType,
    senderName: v.senderName,
    body: v.body,
    internal: Boolean(v.internal),
    attachment: null,
    createdAt: v.createdAt.toISOString(),
  });

  /** Applies the sender's check; the values to store (with the name the check supplied) or the refusal. */
  function check(p: Pending, facts: Map<string, ConversationFacts>): { values: Pending['values'] } | { refused: unknown } {
    if (!p.authorize) return { values: p.values };
    try {
      const named = p.authorize(facts.get(p.values.conversationId) ?? null);
      return { values: named ? { ...p.values, senderName: named.senderName } : p.values };
    } catch (error) {
      return { refused: error };
    }
  }

  /** One message alone, resolving a retry to the stored row; the slow path after a unique-key hit. */
  async function writeOne(p: Pending): Promise<WriteResult> {
    type Outcome = { kind: 'stored'; message: Message; facts: ConversationFacts | null } | { kind: 'existing'; id: number; facts: ConversationFacts | null };
    const outcome = await sql.transaction(async (tx): Promise<Outcome> => {
      const facts = await readFacts(tx, [p]);
      const checked = check(p, facts);
      if ('refused' in checked) throw checked.refused;
      const own = facts.get(p.values.conversationId) ?? null;
      if (p.values.clientId !== null) {
        const existing = await tx.rows<{ id: number }>('SELECT id FROM messages WHERE conversation_id = ? AND client_id = ?', [p.values.conversationId, p.values.clientId]);
        if (existing[0]) return { kind: 'existing', id: Number(existing[0].id), facts: own };
      }
      const [id] = await insert(tx, [checked.values]);
      return { kind: 'stored', message: toMessage(id!, checked.values), facts: own };
    });
    if (outcome.kind === 'stored') {
      await attachments([{ message: outcome.message, attachmentId: p.values.attachmentId }]);
      return { message: outcome.message, duplicate: false, facts: outcome.facts };
    }
    const existing = await Row.findByPk(outcome.id, { include: [{ model: Attachment, as: 'attachment' }] });
    if (!existing) throw new ConflictError('The message was removed while it was being retried.');
    if (existing.senderType !== p.values.senderType || existing.senderId !== p.values.senderId || Boolean(existing.internal) !== Boolean(p.values.internal)) {
      throw new ConflictError('That client id is already used in this conversation.');
    }
    return { message: existing.toPublic(), duplicate: true, facts: outcome.facts };
  }

  async function writeBatch(batch: Pending[]): Promise<void> {
    // The same message twice in one batch (a retry overtaking its original): write it once.
    const first = new Map<string, Pending>();
    const followers: Array<[Pending, Pending]> = [];
    const unique: Pending[] = [];
    for (const p of batch) {
      const k = p.values.clientId === null ? null : key(p.values);
      const leader = k === null ? undefined : first.get(k);
      if (leader) followers.push([p, leader]);
      else {
        if (k !== null) first.set(k, p);
        unique.push(p);
      }
    }
    const results = new Map<Pending, WriteResult>();
    const failures = new Map<Pending, unknown>();
    try {
      const written = await sql.transaction(async (tx) => {
        const facts = await readFacts(tx, unique);
        const accepted: Array<{ p: Pending; values: Pending['values'] }> = [];
        const refused = new Map<Pending, unknown>();
        for (const p of unique) {
          const checked = check(p, facts);
          if ('refused' in checked) refused.set(p, checked.refused);
          else accepted.push({ p, values: checked.values });
        }
        const ids = await insert(tx, accepted.map((a) => a.values));
        return { facts, refused, stored: accepted.map((a, i) => ({ p: a.p, message: toMessage(ids[i]!, a.values), attachmentId: a.values.attachmentId })) };
      });
      await attachments(written.stored);
      for (const s of written.stored) results.set(s.p, { message: s.message, duplicate: false, facts: s.p.authorize ? (written.facts.get(s.p.values.conversationId) ?? null) : null });
      for (const [p, error] of written.refused) failures.set(p, error);
    } catch (error) {
      // A retry of a message stored earlier hit the unique key (rare), or one row the database
      // refused: sort the batch out one row at a time, so one sender's bad row fails only itself.
      if (!isUniqueViolation(error)) log.warn({ err: error, batch: batch.length }, 'message batch failed; writing its messages one by one');
      for (const p of unique) {
        try {
          results.set(p, await writeOne(p));
        } catch (one) {
          if (!isUniqueViolation(one)) log.error({ err: one, conversationId: p.values.conversationId }, 'message write failed');
          failures.set(p, one);
        }
      }
    }
    for (const p of unique) {
      const result = results.get(p);
      if (result) p.resolve(result);
      else p.reject(failures.get(p));
    }
    // A follower is its own sender: it gets the stored message only after its own right to write
    // and its identity (same sender as the stored row) are checked, as any retry is.
    for (const [p] of followers) {
      try {
        p.resolve(await writeOne(p));
      } catch (error) {
        p.reject(error);
      }
    }
  }

  function pump(): void {
    while (inFlight < options.maxInFlight && waiting.length > 0) {
      const batch = waiting.splice(0, options.maxBatch);
      inFlight++;
      void writeBatch(batch).finally(() => {
        inFlight--;
        pump();
      });
    }
  }

  return {
    /**
     * Stores the message (once per conversation and client id) and resolves after the commit.
     * With `authorize`, the sender's right is checked in the storing transaction.
     */
    write(values: NewMessage, createdAt: Date, authorize?: Authorize): Promise<WriteResult> {
      return new Promise((resolve, reject) => {
        waiting.push({ values: { ...values, createdAt }, authorize, resolve, reject });
        pump();
      });
    },
  };
}

export type MessageWriter = ReturnType<typeof createMessageWriter>;
