import type { ConversationModel } from '../db/models/index.js';
import { insertRows } from '../db/insertRows.js';
import type { SqlRunner, SqlTx } from '../db/sqlRunner.js';
import { ValidationError } from '../errors/errors.js';
import type { Logger } from '../log/logger.js';
import { MESSAGE_COLUMNS } from '../conversations/messageWriter.js';

/** A new chat: the visitor's details, the conversation row to create and its first message. */
export interface NewChat {
  conversation: ConversationModel;
  visitor: { name: string; email: string | null; language: string; customerNumber: string | null };
  clientId: string;
  text: string;
}

/** Stored (with the first message's id), or refused because the visitor already has an open chat. */
export type StartOutcome = { kind: 'started'; messageId: number } | { kind: 'open'; conversationId: string };

interface Pending {
  chat: NewChat;
  resolve(outcome: StartOutcome): void;
  reject(error: unknown): void;
}

const CONVERSATION_COLUMNS = [
  'id', 'visitor_id', 'department_id', 'status', 'channel', 'language', 'assigned_agent_id', 'customer_number',
  'ticket_ref', 'page', 'priority', 'waiting_since', 'visitor_read_up_to', 'agent_read_up_to', 'created_at', 'updated_at',
] as const;
const VISITOR_COLUMNS = ['id', 'name', 'email', 'language', 'customer_number', 'last_seen_at', 'created_at'] as const;

const unknownDepartment = () => new ValidationError([{ path: 'departmentId', message: 'unknown department' }]);

/**
 * Group commit for chat starts, like the message writer: requests arriving while a batch is being
 * written go out together — one read of open chats, one of departments, one upsert of the
 * visitors' details, one INSERT of conversations and one of first messages, one commit. A burst
 * of a thousand requests is then a few dozen transactions instead of a thousand.
 *
 * Each visitor has at most one request per batch: a second one (another tab) waits for the next
 * batch and then finds the first one's chat open. A batch that fails as a whole is retried one
 * request at a time, so one bad request cannot fail the others.
 */
export function createStartWriter(sql: SqlRunner, log: Logger, maxBatch = 200) {
  const waiting: Pending[] = [];
  let writing = false;

  const visitorUpsert = (rows: number) => {
    const values = Array.from({ length: rows }, () => `(${VISITOR_COLUMNS.map(() => '?').join(', ')})`).join(', ');
    const head = `INSERT INTO visitors (${VISITOR_COLUMNS.join(', ')}) VALUES ${values}`;
    // A customer number is only ever added, never cleared by a request without one.
    return sql.dialect === 'mysql'
      ? `${head} ON DUPLICATE KEY UPDATE name = VALUES(name), email = VALUES(email), language = VALUES(language), last_seen_at = VALUES(last_seen_at), customer_number = COALESCE(VALUES(customer_number), customer_number)`
      : `${head} ON CONFLICT(id) DO UPDATE SET name = excluded.name, email = excluded.email, language = excluded.language, last_seen_at = excluded.last_seen_at, customer_number = COALESCE(excluded.customer_number, visitors.customer_number)`;
  };

  const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

  async function write(tx: SqlTx, batch: Pending[]): Promise<Map<Pending, StartOutcome | Error>> {
    const outcomes = new Map<Pending, StartOutcome | Error>();
    const visitorIds = batch.map((p) => p.chat.conversation.visitorId);
    const open = new Map<string, string>();
    for (const row of await tx.rows<{ id: string; visitor_id: string }>(
      `SELECT id, visitor_id FROM conversations WHERE visitor_id IN (${marks(visitorIds.length)}) AND status <> 'closed' ORDER BY created_at DESC`,
      visitorIds,
    )) {
      if (!open.has(row.visitor_id)) open.set(row.visitor_id, row.id);
    }
    const departmentIds = [...new Set(batch.map((p) => p.chat.conversation.departmentId))];
    const departments = new Set(
      (await tx.rows<{ id: number }>(`SELECT id FROM departments WHERE id IN (${marks(departmentIds.length)})`, departmentIds)).map((d) => Number(d.id)),
    );
    const go: Pending[] = [];
    for (const p of batch) {
      const c = p.chat.conversation;
      const openId = open.get(c.visitorId);
      if (openId) outcomes.set(p, { kind: 'open', conversationId: openId });
      else if (!departments.has(c.departmentId)) outcomes.set(p, unknownDepartment());
      else go.push(p);
    }
    if (go.length === 0) return outcomes;
    await tx.run(
      visitorUpsert(go.length),
      go.flatMap(({ chat: { conversation: c, visitor: v } }) => [c.visitorId, v.name, v.email, v.language, v.customerNumber, c.createdAt, c.createdAt]),
    );
    await tx.run(
      `INSERT INTO conversations (${CONVERSATION_COLUMNS.join(', ')}) VALUES ${go.map(() => `(${marks(CONVERSATION_COLUMNS.length)})`).join(', ')}`,
      go.flatMap(({ chat: { conversation: c } }) => [
        c.id, c.visitorId, c.departmentId, c.status, c.channel, c.language, null, c.customerNumber, c.ticketRef, c.page, c.priority, c.waitingSince, 0, 0, c.createdAt, c.updatedAt,
      ]),
    );
    const ids = await insertRows(
      sql,
      tx,
      'messages',
      MESSAGE_COLUMNS,
      go.map(({ chat: { conversation: c, visitor: v, clientId, text } }) => [c.id, 'visitor', c.visitorId, v.name, clientId, text, 0, null, c.createdAt]),
    );
    go.forEach((p, i) => outcomes.set(p, { kind: 'started', messageId: ids[i]! }));
    return outcomes;
  }

  async function writeBatch(batch: Pending[]): Promise<void> {
    try {
      const outcomes = await sql.transaction((tx) => write(tx, batch));
      for (const p of batch) {
        const o = outcomes.get(p)!;
        if (o instanceof Error) p.reject(o);
        else p.resolve(o);
      }
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      log.warn({ err: error, batch: batch.length }, 'chat start batch failed; writing its requests one by one');
      for (const p of batch) await writeBatch([p]);
    }
  }

  async function flush(): Promise<void> {
    writing = true;
    while (waiting.length > 0) {
      const batch: Pending[] = [];
      const later: Pending[] = [];
      const visitors = new Set<string>();
      for (const p of waiting.splice(0, waiting.length)) {
        const visitorId = p.chat.conversation.visitorId;
        if (batch.length >= maxBatch || visitors.has(visitorId)) later.push(p);
        else {
          visitors.add(visitorId);
          batch.push(p);
        }
      }
      waiting.unshift(...later);
      await writeBatch(batch);
    }
    writing = false;
  }

  return {
    /** Resolves once the chat is committed, or with the visitor's open chat. */
    write(chat: NewChat): Promise<StartOutcome> {
      return new Promise((resolve, reject) => {
        waiting.push({ chat, resolve, reject });
        if (!writing) void flush();
      });
    },
  };
}

export type StartWriter = ReturnType<typeof createStartWriter>;
