import { randomUUID } from 'node:crypto';
import { Op } from 'sequelize';
import type { TicketCreated, TicketKind } from '../../../shared/schemas/tickets.js';
import { MESSAGE_COLUMNS } from '../conversations/messageWriter.js';
import { isOpen, nextOpening } from '../departments/openingHours.js';
import { RefusedError, ValidationError } from '../errors/errors.js';
import type { Deliver } from '../routing/routingEngine.js';
import type { Conversion } from './convert.js';
import { isUniqueViolation } from '../db/failures.js';
import { systemLineFor, type TicketConflict, type TicketDeps } from './deps.js';
import { retryOnDeadlock } from './numbering.js';
import type { TicketWriter } from './writer.js';

export interface StandaloneInput {
  clientId: string;
  kind: TicketKind;
  departmentId: number;
  language: string;
  name: string;
  email: string | null;
  customerNumber: string | null;
  product: string | null;
  subject: string | null;
  text: string | null;
  phone: string | null;
  preferredFrom: Date | null;
  preferredTo: Date | null;
  /** The visitor's address (the mail budgets' per-address key); null when not known. */
  address: string | null;
}

const CONVERSATION_COLUMNS = [
  'id', 'visitor_id', 'department_id', 'status', 'channel', 'language', 'customer_number', 'priority', 'waiting_since',
  'closed_at', 'closed_by', 'visitor_read_up_to', 'agent_read_up_to', 'created_at', 'updated_at',
] as const;

/**
 * A ticket without a chat before it ("leave a message" on a closed department, a callback form):
 * the visitor's details, a thread (conversation, channel "ticket") with the message, and the
 * ticket, in one transaction. A retry with the same client id returns the first ticket.
 */
export function createStandalone(deps: TicketDeps, writer: TicketWriter, conversion: Conversion) {
  const { db, models, messages, events, pushes, views, log } = deps;
  const { Conversation, Department } = db.models;

  const retried = async (visitorId: string, clientId: string) => {
    const t = await models.Ticket.findOne({ where: { visitorId, clientId } });
    return t ? conversion.createdAgain(t) : null;
  };

  async function create(visitorId: string, input: StandaloneInput, socketId: string): Promise<TicketCreated & { deliver: Deliver }> {
    const earlier = await retried(visitorId, input.clientId);
    if (earlier) return { ...earlier, deliver: async () => undefined };
    const open = await Conversation.findOne({ where: { visitorId, status: { [Op.ne]: 'closed' } }, attributes: ['id'] });
    if (open) throw new RefusedError<TicketConflict>('open_conversation', 'There is an open conversation; leave the message in it instead.');
    const department = await Department.findByPk(input.departmentId);
    if (!department) throw new ValidationError([{ path: 'departmentId', message: 'unknown department' }]);
    const at = deps.now();
    const closedNow = !isOpen(department.openingHours, at);
    const source = input.kind === 'callback' ? 'callback_request' : input.kind === 'voicemail' ? 'voicemail' : closedNow ? 'department_closed' : 'leave_message';
    const conversationId = randomUUID();
    const visitor = await db.models.Visitor.findByPk(visitorId, { attributes: ['email', 'customerNumber'] });
    const email = input.email ?? visitor?.email ?? null;
    const customerNumber = input.customerNumber ?? visitor?.customerNumber ?? null;
    const prepared = await writer.prepare(
      {
        conversationId,
        visitorId,
        clientId: input.clientId,
        kind: input.kind,
        source,
        departmentId: department.id,
        language: input.language,
        name: input.name,
        email,
        customerNumber,
        product: input.product,
        subject: input.subject,
        visitorText: input.text ?? '',
        phone: input.phone,
        preferredFrom: input.preferredFrom,
        preferredTo: input.preferredTo,
        closed: closedNow,
        address: input.address,
      },
      at,
    );
    let made: { id: number; number: string };
    try {
      made = await retryOnDeadlock(() =>
        deps.sql.transaction(async (tx) => {
          // The visitor row exists since their session; a customer number is only ever added.
          await tx.run('UPDATE visitors SET name = ?, email = COALESCE(?, email), language = ?, customer_number = COALESCE(?, customer_number), last_seen_at = ? WHERE id = ?', [
            input.name, input.email, input.language, input.customerNumber, at, visitorId,
          ]);
          await tx.run(`INSERT INTO conversations (${CONVERSATION_COLUMNS.join(', ')}) VALUES (${CONVERSATION_COLUMNS.map(() => '?').join(', ')})`, [
            conversationId, visitorId, prepared.departmentId, 'closed', 'ticket', input.language, customerNumber, 0, at, at, 'system', 0, 0, at, at,
          ]);
          if (input.text) {
            await tx.run(`INSERT INTO messages (${MESSAGE_COLUMNS.join(', ')}) VALUES (${MESSAGE_COLUMNS.map(() => '?').join(', ')})`, [
              conversationId, 'visitor', visitorId, input.name, input.clientId, input.text, 0, null, at,
            ]);
          }
          return writer.insert(tx, prepared, at);
        }),
      );
    } catch (error) {
      if (isUniqueViolation(error)) {
        const again = await retried(visitorId, input.clientId);
        if (again) return { ...again, deliver: async () => undefined };
      }
      log.error({ err: error, visitorId, departmentId: input.departmentId }, 'ticket could not be created');
      throw error;
    }
    const ticket = (await models.Ticket.findByPk(made.id))!;
    const line = await messages.system(conversationId, input.language, systemLineFor(source), { number: made.number, phone: input.phone ?? '' });
    await events.record(conversationId, 'ticket_created', { type: 'visitor', id: visitorId }, { ticketId: made.id, number: made.number, source });
    log.info({ conversationId, ticketId: made.id, number: made.number, source }, 'ticket created');
    const created = conversion.createdOf(ticket, false, closedNow ? (nextOpening(department.openingHours, at)?.toISOString() ?? null) : null, prepared.mail);
    const agentTicket = await views.agentView(ticket);
    return {
      ...created,
      deliver: async () => {
        pushes.visitorCreated(visitorId, created, socketId);
        pushes.visitorMessage(visitorId, ticket.id, line);
        pushes.created(agentTicket);
        deps.outbox.kick();
      },
    };
  }

  return { create };
}

export type Standalone = ReturnType<typeof createStandalone>;
