import { DataTypes, Model, Op, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import type { SqlRunner, SqlTx } from '../db/sqlRunner.js';
import type { Logger } from '../log/logger.js';
import type { Mailer, OutgoingMail } from './mailer.js';
import type { Bus } from '../events/bus.js';

export interface QueuedMail extends OutgoingMail {
  kind: 'ticket_created' | 'ticket_reply' | 'transcript';
  /** The same key is queued once: a retried request or a second node adds nothing. */
  dedupeKey: string;
  ticketId?: number | null;
  conversationId?: string | null;
}

class OutboxModel extends Model<InferAttributes<OutboxModel>, InferCreationAttributes<OutboxModel>> {
  declare id: CreationOptional<number>;
  declare kind: string;
  declare dedupeKey: string;
  declare toAddress: string;
  declare subject: string;
  declare textBody: string;
  declare htmlBody: string;
  declare ticketId: number | null;
  declare conversationId: string | null;
  declare attempts: number;
  declare nextAttemptAt: Date;
  declare lockedUntil: Date | null;
  declare sentAt: Date | null;
  declare failedAt: Date | null;
  declare lastError: string | null;
  declare createdAt: Date;
}

const COLUMNS = ['kind', 'dedupe_key', 'to_address', 'subject', 'text_body', 'html_body', 'ticket_id', 'conversation_id', 'attempts', 'next_attempt_at', 'created_at'];
/** A claimed mail is someone's for this long; a node that dies while sending leaves it to be retried. */
const LOCK_MS = 120_000;
const MAX_ATTEMPTS = 8;
const BATCH = 20;
const backoffMs = (attempts: number) => Math.min(3600_000, 30_000 * 2 ** Math.max(0, attempts - 1));

export interface OutboxDeps {
  sequelize: Sequelize;
  sql: SqlRunner;
  mailer: Mailer;
  log: Logger;
  now: () => Date;
  /** Where the outbox says it gave up on a mail (after every retry); tickets record it in their history. */
  bus: Bus;
}

/**
 * Persist, then send: mails are rows written with the change that causes them (in its
 * transaction where there is one), sent apart from the request path, retried with backoff and
 * logged on failure. Rows are claimed with a conditional UPDATE, so several nodes never send one
 * mail twice.
 */
export function createOutbox(deps: OutboxDeps) {
  const { sql, mailer, log, now } = deps;
  const Row = class extends OutboxModel {};
  Row.init(
    {
      id: { type: DataTypes.BIGINT, autoIncrement: true, primaryKey: true },
      kind: { type: DataTypes.STRING(32), allowNull: false },
      dedupeKey: { type: DataTypes.STRING(128), allowNull: false },
      toAddress: { type: DataTypes.STRING(254), allowNull: false },
      subject: { type: DataTypes.STRING(255), allowNull: false },
      textBody: { type: DataTypes.TEXT, allowNull: false },
      htmlBody: { type: DataTypes.TEXT, allowNull: false },
      ticketId: { type: DataTypes.INTEGER, allowNull: true },
      conversationId: { type: DataTypes.CHAR(36), allowNull: true },
      attempts: { type: DataTypes.INTEGER, allowNull: false },
      nextAttemptAt: { type: DataTypes.DATE(3), allowNull: false },
      lockedUntil: { type: DataTypes.DATE(3), allowNull: true },
      sentAt: { type: DataTypes.DATE(3), allowNull: true },
      failedAt: { type: DataTypes.DATE(3), allowNull: true },
      lastError: { type: DataTypes.TEXT, allowNull: true },
      createdAt: { type: DataTypes.DATE(3), allowNull: false },
    },
    { sequelize: deps.sequelize, tableName: 'mail_outbox', underscored: true, timestamps: false },
  );

  const insertSql =
    `INSERT INTO mail_outbox (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')}) ` +
    (sql.dialect === 'mysql' ? 'ON DUPLICATE KEY UPDATE id = id' : 'ON CONFLICT(dedupe_key) DO NOTHING');

  async function enqueue(tx: SqlTx | null, mail: QueuedMail): Promise<void> {
    if (!mailer.enabled) {
      log.debug({ kind: mail.kind, dedupeKey: mail.dedupeKey }, 'mail not configured: not queued');
      return;
    }
    const at = now();
    const params = [mail.kind, mail.dedupeKey, mail.to, mail.subject.slice(0, 255), mail.text, mail.html, mail.ticketId ?? null, mail.conversationId ?? null, 0, at, at];
    if (tx) await tx.run(insertSql, params);
    else await sql.write(insertSql, params);
  }

  async function sendOne(row: OutboxModel): Promise<void> {
    const at = now();
    const [claimed] = await Row.update(
      { lockedUntil: new Date(at.getTime() + LOCK_MS), attempts: row.attempts + 1 },
      { where: { id: row.id, sentAt: null, failedAt: null, attempts: row.attempts, [Op.or]: [{ lockedUntil: null }, { lockedUntil: { [Op.lt]: at } }] } },
    );
    if (claimed !== 1) return;
    const attempts = row.attempts + 1;
    try {
      await mailer.send({ to: row.toAddress, subject: row.subject, text: row.textBody, html: row.htmlBody });
      await Row.update({ sentAt: now(), lockedUntil: null, lastError: null }, { where: { id: row.id } });
      log.info({ mailId: row.id, kind: row.kind, ticketId: row.ticketId }, 'mail sent');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (attempts >= MAX_ATTEMPTS) {
        await Row.update({ failedAt: now(), lockedUntil: null, lastError: message }, { where: { id: row.id } });
        log.error({ err: error, mailId: row.id, kind: row.kind, ticketId: row.ticketId, attempts }, 'mail given up after every retry');
        await deps.bus.publish('mail.given_up', { ticketId: row.ticketId, kind: row.kind, error: message });
      } else {
        const next = new Date(now().getTime() + backoffMs(attempts));
        await Row.update({ nextAttemptAt: next, lockedUntil: null, lastError: message }, { where: { id: row.id } });
        log.warn({ err: error, mailId: row.id, kind: row.kind, ticketId: row.ticketId, attempts, retryAt: next.toISOString() }, 'mail could not be sent; will retry');
      }
    }
  }

  let running = false;
  let again = false;
  /** Sends every mail that is due; calls while it runs make it go round once more. */
  async function tick(): Promise<void> {
    if (!mailer.enabled) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        const at = now();
        const due = await Row.findAll({
          where: { sentAt: null, failedAt: null, nextAttemptAt: { [Op.lte]: at }, [Op.or]: [{ lockedUntil: null }, { lockedUntil: { [Op.lt]: at } }] },
          order: [['id', 'ASC']],
          limit: BATCH,
        });
        for (const row of due) await sendOne(row);
        if (due.length === BATCH) again = true;
      } while (again);
    } catch (error) {
      log.error({ err: error }, 'mail outbox pass failed');
    } finally {
      running = false;
    }
  }

  let timer: NodeJS.Timeout | null = null;
  return {
    enabled: mailer.enabled,
    enqueue,
    tick,
    /** After a commit that queued mail: send it now rather than at the next timer pass. */
    kick: () => void tick(),
    start(everyMs = 5000): void {
      if (!mailer.enabled) return;
      timer ??= setInterval(() => void tick(), everyMs);
      timer.unref();
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      mailer.close();
    },
    /** For the ops view and tests: what is still waiting. */
    pending: () => Row.count({ where: { sentAt: null, failedAt: null } }),
    /** Whether a mail with this key was ever queued (a retried request answers as the first did). */
    has: async (dedupeKey: string): Promise<boolean> => (await Row.count({ where: { dedupeKey } })) > 0,
  };
}

export type Outbox = ReturnType<typeof createOutbox>;
