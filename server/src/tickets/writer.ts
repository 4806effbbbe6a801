import type { TicketKind, TicketSource, TicketUrgency } from '../../../shared/schemas/tickets.js';
import { uiLanguageOf } from '../conversations/messageStore.js';
import type { SqlTx } from '../db/sqlRunner.js';
import { ticketCreatedMail } from '../mail/templates.js';
import { firstMatch, toRule } from './assignment.js';
import type { TicketDeps } from './deps.js';
import { nextTicketNumber } from './numbering.js';
import type { Sla, SlaPlan } from './sla.js';

/** Everything a new ticket is made of; the thread (conversation) exists or is written in the same transaction. */
export interface NewTicket {
  conversationId: string;
  visitorId: string;
  clientId: string | null;
  kind: TicketKind;
  source: TicketSource;
  departmentId: number;
  language: string;
  name: string | null;
  email: string | null;
  customerNumber: string | null;
  product: string | null;
  subject: string | null;
  /** The visitor's words so far: searched for similar tickets (never mailed: see insert). */
  visitorText: string;
  phone: string | null;
  preferredFrom: Date | null;
  preferredTo: Date | null;
  /** The department was closed (the confirmation says when we answer). */
  closed: boolean;
  /** The visitor's address when they asked for the ticket themselves (null: a timer or the chat start made it). */
  address: string | null;
}

/** The outbox key of a ticket's confirmation: queued at most once. */
export const ticketCreatedMailKey = (ticketId: number) => `ticket-created:${ticketId}`;

export const DEFAULT_URGENCY: TicketUrgency = 'limited_usability';
const SEARCH_TEXT_MAX = 16_000;

const COLUMNS = [
  'number', 'conversation_id', 'visitor_id', 'client_id', 'kind', 'source', 'status', 'urgency', 'department_id', 'assignee_id',
  'name', 'email', 'customer_number', 'product', 'language', 'subject', 'search_text', 'phone', 'preferred_from', 'preferred_to',
  'tracking_nonce', 'tracking_hash', 'tracking_expires_at', 'unanswered',
  'first_response_due_at', 'first_response_warn_at', 'first_response_sla', 'resolution_due_at', 'resolution_warn_at', 'resolution_sla',
  'last_activity_at', 'created_at', 'updated_at',
] as const;

/** The first line of the visitor's words, as a subject when none was given. */
export const subjectFrom = (text: string, fallback: string) => {
  const line = text.split('\n').map((l) => l.trim()).find(Boolean) ?? '';
  return (line.length > 80 ? `${line.slice(0, 77)}…` : line) || fallback;
};

export interface PreparedTicket {
  ticket: NewTicket;
  departmentId: number;
  assigneeId: number | null;
  subject: string;
  sla: SlaPlan;
  /** The confirmation mail may go out: the ticket has an address, mail is configured, and the mail budgets allow it. */
  mail: boolean;
}

/**
 * Ticket rows. `prepare` does the reads (assignment rules, SLA policy) before the transaction;
 * `insert` runs inside it: number, row, first event and the confirmation mail in the outbox
 * commit together or not at all.
 */
export function createTicketWriter(deps: TicketDeps, sla: Sla) {
  const { models, db, tracking, outbox, mailGate, options } = deps;

  async function prepare(t: NewTicket, at: Date): Promise<PreparedTicket> {
    const subject = (t.subject ?? subjectFrom(t.visitorText, t.kind === 'callback' ? `☎ ${t.phone ?? ''}` : '—')).slice(0, 200);
    const rules = (await models.AssignmentRule.findAll({ where: { active: true } })).map(toRule);
    const rule = firstMatch(rules, { departmentId: t.departmentId, language: t.language, product: t.product, text: `${subject}\n${t.visitorText}` });
    let departmentId = rule?.assignToDepartmentId ?? t.departmentId;
    if (departmentId !== t.departmentId && !(await db.models.Department.findByPk(departmentId, { attributes: ['id'] }))) departmentId = t.departmentId;
    const agent = rule?.assignToAgentId ? await db.models.User.findByPk(rule.assignToAgentId, { attributes: ['id', 'active'] }) : null;
    // Decided before the transaction (the budgets live outside the database).
    const mail = Boolean(t.email) && outbox.enabled && (await mailGate.allow(t.email!, { visitorId: t.visitorId, address: t.address }));
    return {
      ticket: t,
      departmentId,
      assigneeId: agent?.active ? agent.id : null,
      subject,
      sla: await sla.plan(departmentId, DEFAULT_URGENCY, at, { respondedAt: null, solvedAt: null }),
      mail,
    };
  }

  async function insert(tx: SqlTx, p: PreparedTicket, at: Date): Promise<{ id: number; number: string; nonce: string }> {
    const t = p.ticket;
    const number = await nextTicketNumber(tx, deps.sql.dialect, options.numberPrefix, at);
    const { nonce, hash } = tracking.fresh();
    const searchText = `${p.subject}\n${t.visitorText}`.slice(0, SEARCH_TEXT_MAX);
    const expires = new Date(at.getTime() + options.linkTtlDays * 86_400_000);
    await tx.run(`INSERT INTO tickets (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`, [
      number, t.conversationId, t.visitorId, t.clientId, t.kind, t.source, 'new', DEFAULT_URGENCY, p.departmentId, p.assigneeId,
      t.name, t.email, t.customerNumber, t.product, t.language, p.subject, searchText, t.phone, t.preferredFrom, t.preferredTo,
      nonce, hash, expires, 1,
      p.sla.firstResponseDueAt, p.sla.firstResponseWarnAt, p.sla.firstResponseSla, p.sla.resolutionDueAt, p.sla.resolutionWarnAt, p.sla.resolutionSla,
      at, at, at,
    ]);
    const [row] = await tx.rows<{ id: number }>('SELECT id FROM tickets WHERE number = ?', [number]);
    const id = Number(row!.id);
    await tx.run('INSERT INTO ticket_events (ticket_id, type, actor_type, actor_id, data, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
      id, 'created', t.source === 'leave_message' || t.source === 'callback_request' ? 'visitor' : 'system', t.source === 'leave_message' || t.source === 'callback_request' ? t.visitorId : null,
      JSON.stringify({ source: t.source, kind: t.kind, departmentId: p.departmentId, assigneeId: p.assigneeId }), at,
    ]);
    if (p.mail && t.email) {
      // Nobody has shown yet that the address is theirs: the mail carries nothing the visitor wrote
      // (no message, no name), only our standard text, the number and the private link (docs/tickets.md).
      const mail = ticketCreatedMail({
        lang: uiLanguageOf(t.language),
        number,
        kind: t.kind,
        phone: t.phone,
        preferredFrom: t.preferredFrom,
        preferredTo: t.preferredTo,
        trackingUrl: tracking.url(nonce),
        closed: t.closed,
      });
      await outbox.enqueue(tx, { kind: 'ticket_created', dedupeKey: ticketCreatedMailKey(id), to: t.email, ...mail, ticketId: id, conversationId: t.conversationId });
    }
    return { id, number, nonce };
  }

  return { prepare, insert };
}

export type TicketWriter = ReturnType<typeof createTicketWriter>;
