import type { Conversation } from '../../../shared/schemas/chat.js';
import type { TicketCreated, TicketKind, TicketSource } from '../../../shared/schemas/tickets.js';
import type { EventActor } from '../conversations/eventLog.js';
import type { ConversationModel } from '../db/models/index.js';
import { ConflictError, RefusedError } from '../errors/errors.js';
import type { Deliver } from '../routing/routingEngine.js';
import type { ChatRoute } from '../routing/types.js';
import { isUniqueViolation } from '../db/failures.js';
import { systemLineFor, type TicketConflict, type TicketDeps } from './deps.js';
import type { TicketModel } from './models.js';
import { retryOnDeadlock } from './numbering.js';
import { ticketCreatedMailKey, type TicketWriter } from './writer.js';
import { requestOfRoute } from '../routing/chatRequest.js';

export interface ConvertOptions {
  source: TicketSource;
  /** The chat is in the routing state (waiting); false for a chat that was just stored and never queued. */
  routed: boolean;
  clientId: string | null;
  kind?: TicketKind;
  email?: string | null;
  phone?: string | null;
  preferredFrom?: Date | null;
  preferredTo?: Date | null;
  product?: string | null;
  nextOpeningAt?: string | null;
  actor: EventActor;
  /** The visitor's address when they asked for the ticket themselves (the mail budgets' per-address key). */
  address?: string | null;
  /** The visitor's socket that asked: it gets the result in its ack, not as a push. */
  exceptSocket?: string;
}


/**
 * A waiting chat becomes a ticket, keeping its thread. Atomic with respect to routing: the chat
 * leaves the routing state first (one atomic store step, so no node can offer it meanwhile, and
 * only one caller wins), then one transaction closes the conversation — only if it still waits —
 * and writes the ticket. Anything failing on the way gives the chat back to routing. Idempotent:
 * a conversation has at most one ticket, and asking again returns it.
 */
export function createConversion(deps: TicketDeps, writer: TicketWriter) {
  const { db, models, engine, messages, events, notifier, pushes, views, tracking, log } = deps;
  const { Conversation, Visitor, Message } = db.models;

  /** `mailQueued`: the confirmation was queued — never promised when a mail budget said no. */
  const createdOf = (t: TicketModel, duplicate: boolean, nextOpeningAt: string | null, mailQueued: boolean): TicketCreated => ({
    ticket: views.visitorView(t),
    trackingUrl: tracking.url(t.trackingNonce),
    source: t.source,
    nextOpeningAt,
    duplicate,
    mailQueued,
  });

  /** A retry's answer: what the first request got, the confirmation looked up in the outbox. */
  const createdAgain = async (t: TicketModel): Promise<TicketCreated> =>
    createdOf(t, true, null, deps.outbox.enabled && Boolean(t.email) && (await deps.outbox.has(ticketCreatedMailKey(t.id))));

  const existing = (conversationId: string) => models.Ticket.findOne({ where: { conversationId } });

  async function convert(conversation: ConversationModel, opts: ConvertOptions): Promise<{ created: TicketCreated; ticket: TicketModel; conversation: Conversation; deliver: Deliver }> {
    const done = await existing(conversation.id);
    if (done) return { created: await createdAgain(done), ticket: done, conversation: await deps.conversationViews.visitorView(conversation), deliver: async () => undefined };
    if (conversation.status !== 'queued') {
      throw conversation.status === 'active'
        ? new RefusedError<TicketConflict>('being_served', 'An agent is serving this conversation.')
        : new RefusedError<TicketConflict>('not_waiting', 'The conversation has ended.');
    }

    let removed: ChatRoute | null = null;
    if (opts.routed) {
      removed = await engine.store.remove(conversation.id);
      if (!removed) {
        const again = await existing(conversation.id);
        if (again) return { created: await createdAgain(again), ticket: again, conversation: await deps.conversationViews.visitorView(conversation), deliver: async () => undefined };
        throw new RefusedError<TicketConflict>('not_waiting', 'The conversation is no longer waiting.');
      }
      if (removed.state === 'assigned' && removed.agentId !== null) {
        // Accepted in the meantime: it stays with its agent.
        await engine.store.assign(requestOfRoute(removed), removed.agentId, deps.now().getTime());
        throw new RefusedError<TicketConflict>('being_served', 'An agent is serving this conversation.');
      }
    }

    const at = deps.now();
    let made: { id: number; number: string };
    let mailQueued = false;
    try {
      const visitor = await Visitor.findByPk(conversation.visitorId);
      const said = await Message.findAll({ where: { conversationId: conversation.id, senderType: 'visitor', internal: false }, order: [['id', 'ASC']], attributes: ['body'], limit: 200 });
      const email = opts.email ?? visitor?.email ?? null;
      const prepared = await writer.prepare(
        {
          conversationId: conversation.id,
          visitorId: conversation.visitorId,
          clientId: opts.clientId,
          kind: opts.kind ?? 'message',
          source: opts.source,
          departmentId: conversation.departmentId,
          language: conversation.language,
          name: visitor?.name ?? null,
          email,
          customerNumber: conversation.customerNumber ?? visitor?.customerNumber ?? null,
          product: opts.product ?? null,
          subject: null,
          visitorText: said.map((m) => m.body).filter(Boolean).join('\n\n'),
          phone: opts.phone ?? null,
          preferredFrom: opts.preferredFrom ?? null,
          preferredTo: opts.preferredTo ?? null,
          closed: opts.source === 'department_closed',
          address: opts.address ?? null,
        },
        at,
      );
      mailQueued = prepared.mail;
      made = await retryOnDeadlock(() =>
        deps.sql.transaction(async (tx) => {
          const closed = await tx.run(
            "UPDATE conversations SET status = 'closed', closed_by = 'system', closed_at = ?, assigned_agent_id = NULL, updated_at = ? WHERE id = ? AND status = 'queued'",
            [at, at, conversation.id],
          );
          if (closed.affectedRows !== 1) throw new RefusedError<TicketConflict>('not_waiting', 'The conversation is no longer waiting.');
          return writer.insert(tx, prepared, at);
        }),
      );
    } catch (error) {
      if (removed) {
        const still = await Conversation.findByPk(conversation.id, { attributes: ['id', 'status'] });
        if (still?.status === 'queued') {
          await engine.store.enqueue(requestOfRoute(removed), deps.now().getTime());
          engine.kick();
        }
      }
      if (isUniqueViolation(error)) {
        const other = await existing(conversation.id);
        if (other) return { created: await createdAgain(other), ticket: other, conversation: await deps.conversationViews.visitorView(conversation), deliver: async () => undefined };
      }
      if (!(error instanceof ConflictError)) log.error({ err: error, conversationId: conversation.id, source: opts.source }, 'chat could not become a ticket');
      throw error;
    }

    const ticket = (await models.Ticket.findByPk(made.id))!;
    await conversation.reload();
    const line = await messages.system(conversation.id, conversation.language, systemLineFor(opts.source), { number: made.number, phone: opts.phone ?? '' });
    await events.record(conversation.id, 'ticket_created', opts.actor, { ticketId: made.id, number: made.number, source: opts.source });
    await events.record(conversation.id, 'closed', { type: 'system', id: null });
    log.info({ conversationId: conversation.id, ticketId: made.id, number: made.number, source: opts.source }, 'chat became a ticket');
    const created = createdOf(ticket, false, opts.nextOpeningAt ?? null, mailQueued);
    const visitorView = await deps.conversationViews.visitorView(conversation);
    const agentConversation = await deps.conversationViews.agentView(conversation);
    const agentTicket = await views.agentView(ticket);
    return {
      created,
      ticket,
      conversation: visitorView,
      deliver: async () => {
        notifier.conversationUpdatedForVisitor(conversation.visitorId, visitorView, opts.exceptSocket);
        notifier.conversationUpdatedForAgents(agentConversation);
        notifier.message(conversation.visitorId, line);
        pushes.visitorCreated(conversation.visitorId, created, opts.exceptSocket);
        pushes.created(agentTicket);
        if (removed?.state === 'offered' && removed.agentId !== null) {
          notifier.offerRevoked(removed.agentId, { conversationId: conversation.id, reason: 'withdrawn' });
          await engine.publishAgent(removed.agentId);
        }
        // Forgets what routing still kept about the chat (its last queue push), then refreshes the queue.
        await engine.ended(conversation.id);
        engine.touchQueue(conversation.departmentId);
        engine.kick();
        deps.outbox.kick();
        await deps.transcripts.closed(conversation.id);
      },
    };
  }

  return { convert, createdOf, createdAgain };
}

export type Conversion = ReturnType<typeof createConversion>;
