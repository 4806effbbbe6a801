import { UniqueConstraintError } from 'sequelize';
import type { Message } from '../../../shared/schemas/chat.js';
import type { Database } from '../db/database.js';
import type { MessageModel } from '../db/models/index.js';
import { ConflictError } from '../errors/errors.js';
import type { Logger } from '../log/logger.js';
import type { NewMessage } from './messageStore.js';

export interface WriteResult {
  message: Message;
  duplicate: boolean;
}

interface Pending {
  values: NewMessage & { createdAt: Date };
  resolve(result: WriteResult): void;
  reject(error: unknown): void;
}

export interface MessageWriterOptions {
  /** Most rows in one INSERT. */
  maxBatch: number;
  /** Batches written at the same time (each on its own connection). */
  maxInFlight: number;
}

/**
 * Group commit for chat messages. A message is acknowledged only after the transaction that
 * stores it has committed; messages arriving while earlier batches are being written wait and go
 * out together as one multi-row INSERT (one commit, one log flush). An idle server writes each
 * message at once, so latency stays low; under load the batches grow and throughput follows.
 *
 * Idempotency stays with the database's unique key (conversation, clientId): when a batch's INSERT
 * hits it (a client retrying a message stored earlier), the batch is written one row at a time
 * and the retried message resolves to the stored one.
 */
export function createMessageWriter(db: Database, log: Logger, options: MessageWriterOptions) {
  const { Message: Row, Attachment } = db.models;
  const waiting: Pending[] = [];
  let inFlight = 0;

  const key = (v: { conversationId: string; clientId: string | null }) => `${v.conversationId}\u0000${v.clientId}`;

  async function attach(rows: MessageModel[]): Promise<void> {
    const ids = [...new Set(rows.map((r) => r.attachmentId).filter((id): id is string => Boolean(id)))];
    if (ids.length === 0) return;
    const found = new Map((await Attachment.findAll({ where: { id: ids } })).map((a) => [a.id, a]));
    for (const r of rows) if (r.attachmentId) r.attachment = found.get(r.attachmentId) ?? null;
  }

  /** The row a retry refers to, if it is the same sender's; a foreign row is a conflict. */
  function asDuplicate(existing: MessageModel, values: NewMessage): WriteResult {
    if (existing.senderType !== values.senderType || existing.senderId !== values.senderId || Boolean(existing.internal) !== Boolean(values.internal)) {
      throw new ConflictError('That client id is already used in this conversation.');
    }
    return { message: existing.toPublic(), duplicate: true };
  }

  async function writeOne(p: Pending): Promise<WriteResult> {
    try {
      const row = await Row.create(p.values);
      await attach([row]);
      return { message: row.toPublic(), duplicate: false };
    } catch (error) {
      if (!(error instanceof UniqueConstraintError)) throw error;
      const existing = await Row.findOne({ where: { conversationId: p.values.conversationId, clientId: p.values.clientId } });
      if (!existing) throw error;
      await attach([existing]);
      return asDuplicate(existing, p.values);
    }
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
      if (unique.length === 1) results.set(unique[0]!, await writeOne(unique[0]!));
      else {
        try {
          // Ids come back in insertion order: consecutive auto-increment for one multi-row INSERT.
          const rows = await db.sequelize.transaction((transaction) => Row.bulkCreate(unique.map((p) => p.values), { transaction, validate: false, hooks: false }));
          await attach(rows);
          rows.forEach((row, i) => results.set(unique[i]!, { message: row.toPublic(), duplicate: false }));
        } catch (error) {
          // A retry of a message stored earlier (rare): sort the batch out one row at a time.
          if (!(error instanceof UniqueConstraintError)) throw error;
          for (const p of unique) {
            try {
              results.set(p, await writeOne(p));
            } catch (one) {
              failures.set(p, one);
            }
          }
        }
      }
    } catch (error) {
      log.error({ err: error, batch: batch.length }, 'message batch failed');
      for (const p of unique) if (!results.has(p)) failures.set(p, error);
    }
    for (const p of unique) {
      const result = results.get(p);
      if (result) p.resolve(result);
      else p.reject(failures.get(p));
    }
    for (const [p, leader] of followers) {
      const result = results.get(leader);
      if (result) p.resolve({ message: result.message, duplicate: true });
      else p.reject(failures.get(leader));
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
    /** Stores the message (once per conversation and client id) and resolves after the commit. */
    write(values: NewMessage, createdAt: Date): Promise<WriteResult> {
      return new Promise((resolve, reject) => {
        waiting.push({ values: { ...values, createdAt }, resolve, reject });
        pump();
      });
    },
  };
}

export type MessageWriter = ReturnType<typeof createMessageWriter>;
