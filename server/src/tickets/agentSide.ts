import { Op, type InferAttributes, type WhereOptions } from 'sequelize';
import type { z } from 'zod';
import type { Message } from '../../../shared/schemas/chat.js';
import type { AgentTicket, calledBackSchema, TicketAssignee, TicketDetail, ticketListSchema, ticketReplySchema, TicketSummary, ticketUpdateSchema } from '../../../shared/schemas/tickets.js';
import { hasRole } from '../auth/middleware.js';
import { uiLanguageOf } from '../conversations/messageStore.js';
import { ConflictError, NotFoundError, RefusedError, ValidationError } from '../errors/errors.js';
import { ticketReplyMail } from '../mail/templates.js';
import type { Deliver } from '../routing/routingEngine.js';
import type { AgentUser } from '../auth/agentUser.js';
import type { TicketConflict, TicketDeps } from './deps.js';
import type { TicketModel } from './models.js';
import { similarTicketIds } from './similar.js';
import type { Sla } from './sla.js';
import { firstResponse, statusChanges } from './status.js';

type ListQuery = z.output<typeof ticketListSchema>;
type ReplyInput = z.output<typeof ticketReplySchema>;
type UpdateInput = z.output<typeof ticketUpdateSchema>;
type CalledBackInput = z.output<typeof calledBackSchema>;

const RELATED_LIMIT = 20;
const SIMILAR_LIMIT = 5;

/**
 * The console's side of tickets. Who sees and works a ticket: supervisors (all), members of its
 * department, its assignee, and the assignee's substitute while the assignee is away or offline.
 * To anyone else a ticket does not exist.
 */
export function createAgentTickets(deps: TicketDeps, sla: Sla) {
  const { db, models, messages, pushes, views, substitution, tracking, outbox, log } = deps;
  const { Ticket, TicketEvent } = models;

  const memberDepartments = async (userId: number) =>
    (await db.models.DepartmentMember.findAll({ where: { userId }, attributes: ['departmentId'] })).map((m) => m.departmentId);

  /** null: no restriction (supervisors). */
  async function visibility(user: AgentUser): Promise<WhereOptions<TicketModel> | null> {
    if (hasRole(user.role, 'supervisor')) return null;
    const [departments, standIn] = await Promise.all([memberDepartments(user.id), substitution.standingInFor(user.id)]);
    return { [Op.or]: [{ departmentId: departments }, { assigneeId: [user.id, ...standIn] }] } as WhereOptions<TicketModel>;
  }

  async function mayWork(user: AgentUser, t: TicketModel): Promise<boolean> {
    if (hasRole(user.role, 'supervisor') || t.assigneeId === user.id) return true;
    if ((await memberDepartments(user.id)).includes(t.departmentId)) return true;
    return t.assigneeId !== null && (await substitution.acting(t.assigneeId))?.id === user.id;
  }

  async function access(user: AgentUser, ticketId: number): Promise<TicketModel> {
    const t = await Ticket.findByPk(ticketId);
    if (!t || !(await mayWork(user, t))) throw new NotFoundError('No such ticket.');
    return t;
  }

  const event = (t: TicketModel, type: string, user: AgentUser, data: Record<string, unknown> | null, at: Date) =>
    TicketEvent.create({ ticketId: t.id, type, actorType: 'agent', actorId: String(user.id), data: data ? JSON.stringify(data) : null, createdAt: at });

  async function list(user: AgentUser, q: ListQuery): Promise<{ tickets: AgentTicket[]; total: number }> {
    const and: WhereOptions<TicketModel>[] = [];
    const visible = await visibility(user);
    if (visible) and.push(visible);
    if (q.status) and.push({ status: q.status });
    if (q.urgency) and.push({ urgency: q.urgency });
    if (q.departmentId) and.push({ departmentId: q.departmentId });
    if (q.kind) and.push({ kind: q.kind });
    if (q.assignee === 'none') and.push({ assigneeId: null });
    else if (q.assignee === 'me') and.push({ assigneeId: [user.id, ...(await substitution.standingInFor(user.id))] });
    else if (typeof q.assignee === 'number') and.push({ assigneeId: q.assignee });
    if (q.escalated) {
      and.push({
        status: ['new', 'open', 'pending'],
        [Op.or]: [{ firstRespondedAt: null, firstResponseSla: ['approaching', 'breached'] }, { resolutionSla: ['approaching', 'breached'] }],
      } as WhereOptions<TicketModel>);
    }
    const { rows, count } = await Ticket.findAndCountAll({
      where: { [Op.and]: and },
      // Unanswered first, and among them whoever has waited longest.
      order: [['unanswered', 'DESC'], ['lastActivityAt', 'ASC'], ['id', 'ASC']],
      offset: q.offset,
      limit: q.limit,
    });
    return { tickets: await views.agentViews(rows), total: count };
  }

  async function summaries(user: AgentUser, rows: TicketModel[], limit: number): Promise<TicketSummary[]> {
    const out: TicketSummary[] = [];
    for (const r of rows) {
      if (out.length >= limit) break;
      if (await mayWork(user, r)) out.push(views.summary(r));
    }
    return out;
  }

  async function similar(user: AgentUser, t: TicketModel): Promise<TicketSummary[]> {
    const ids = await similarTicketIds(deps.sql, `${t.subject}\n${t.searchText}`, t.id, SIMILAR_LIMIT * 4);
    if (ids.length === 0) return [];
    const rows = new Map((await Ticket.findAll({ where: { id: ids } })).map((r) => [r.id, r]));
    return summaries(user, ids.map((id) => rows.get(id)).filter((r): r is TicketModel => r !== undefined), SIMILAR_LIMIT);
  }

  async function get(user: AgentUser, ticketId: number): Promise<TicketDetail> {
    const t = await access(user, ticketId);
    const conversation = await db.models.Conversation.findByPk(t.conversationId);
    const who: WhereOptions<TicketModel>[] = [{ visitorId: t.visitorId }];
    // A typed customer number links only once confirmed for the visitor (conversations/customerNumbers.ts).
    const linked = t.customerNumber ? await deps.conversationViews.customerNumbers.linkedVisitors(t.visitorId, t.customerNumber) : [];
    if (t.customerNumber && linked.length > 0) who.push({ customerNumber: t.customerNumber, visitorId: linked });
    const relatedTickets = await Ticket.findAll({ where: { id: { [Op.ne]: t.id }, [Op.or]: who }, order: [['createdAt', 'DESC'], ['id', 'DESC']], limit: RELATED_LIMIT * 2 });
    return {
      ticket: await views.agentView(t),
      messages: await deps.conversationViews.messages(t.conversationId, { withNotes: true, last: 500 }),
      events: await views.events(t.id),
      related: {
        conversations: conversation ? await deps.conversationViews.earlier(conversation) : [],
        tickets: await summaries(user, relatedTickets, RELATED_LIMIT),
      },
      similar: await similar(user, t),
    };
  }

  /** A message by an agent into the ticket's thread; retries (same client id) get the stored one. */
  async function write(user: AgentUser, t: TicketModel, clientId: string, text: string, internal: boolean) {
    const result = await messages.storeOnce({
      conversationId: t.conversationId,
      senderType: 'agent',
      senderId: String(user.id),
      senderName: user.name,
      clientId,
      body: text,
      internal,
      attachmentId: null,
    });
    if (result.message.senderType !== 'agent' || result.message.internal !== internal) throw new ConflictError('This client id is already used.');
    return result;
  }

  async function reply(user: AgentUser, input: ReplyInput, socketId: string): Promise<{ message: Message; duplicate: boolean; ticket: AgentTicket; deliver: Deliver }> {
    const t = await access(user, input.ticketId);
    if (t.status === 'closed') throw new RefusedError<TicketConflict>('ticket_closed', 'This ticket is closed; reopen it first.');
    const { message, duplicate } = await write(user, t, input.clientId, input.text, false);
    const at = deps.now();
    const before = { status: t.status, assigneeId: t.assigneeId };
    if (!duplicate) {
      const expires = new Date(at.getTime() + deps.options.linkTtlDays * 86_400_000);
      await t.update({
        ...statusChanges(t, input.status ?? (t.status === 'new' ? 'open' : t.status), at),
        ...firstResponse(t, at),
        unanswered: false,
        // Whoever answers an unassigned ticket takes it.
        assigneeId: t.assigneeId ?? user.id,
        lastActivityAt: at,
        updatedAt: at,
        trackingExpiresAt: expires > t.trackingExpiresAt ? expires : t.trackingExpiresAt,
      });
      await event(t, 'replied', user, { messageId: message.id }, at);
    }
    // Queued even for a retry: the outbox's key makes it once, and a crash between message and mail is mended.
    if (t.email) {
      const mail = ticketReplyMail({ lang: uiLanguageOf(t.language), name: t.name, number: t.number, agentName: user.name, body: message.body, trackingUrl: tracking.url(t.trackingNonce) });
      await outbox.enqueue(null, { kind: 'ticket_reply', dedupeKey: `ticket-reply:${message.id}`, to: t.email, ...mail, ticketId: t.id, conversationId: t.conversationId });
    }
    const view = await views.agentView(t);
    log.info({ ticketId: t.id, messageId: message.id, duplicate }, 'public reply to a ticket');
    return {
      message,
      duplicate,
      ticket: view,
      deliver: async () => {
        outbox.kick();
        if (duplicate) return;
        pushes.visitorMessage(t.visitorId, t.id, message);
        if (before.status !== t.status) pushes.visitorUpdated(t.visitorId, views.visitorView(t));
        pushes.message(view, message, socketId);
        pushes.updated(view, socketId, { assigneeId: before.assigneeId });
      },
    };
  }

  async function note(user: AgentUser, input: { ticketId: number; clientId: string; text: string }, socketId: string): Promise<{ message: Message; duplicate: boolean; deliver: Deliver }> {
    const t = await access(user, input.ticketId);
    const { message, duplicate } = await write(user, t, input.clientId, input.text, true);
    if (!duplicate) {
      const at = deps.now();
      await t.update({ updatedAt: at });
      await event(t, 'noted', user, { messageId: message.id }, at);
    }
    const view = await views.agentView(t);
    return {
      message,
      duplicate,
      // Agents only: there is no visitor push and no mail for a note.
      deliver: async () => {
        if (!duplicate) pushes.message(view, message, socketId);
      },
    };
  }

  async function update(user: AgentUser, input: UpdateInput, socketId: string): Promise<{ ticket: AgentTicket; deliver: Deliver }> {
    const t = await access(user, input.ticketId);
    const at = deps.now();
    const previous = { departmentId: t.departmentId, assigneeId: t.assigneeId, status: t.status };
    const changes: Partial<InferAttributes<TicketModel>> = {};
    const happened: Array<[string, Record<string, unknown>]> = [];
    if (input.status !== undefined && input.status !== t.status) {
      Object.assign(changes, statusChanges(t, input.status, at));
      happened.push(['status_changed', { from: t.status, to: input.status }]);
    }
    if (input.assigneeId !== undefined && input.assigneeId !== t.assigneeId) {
      if (input.assigneeId !== null) {
        const agent = await db.models.User.findByPk(input.assigneeId, { attributes: ['id', 'active'] });
        if (!agent?.active) throw new ValidationError([{ path: 'assigneeId', message: 'unknown agent' }]);
      }
      changes.assigneeId = input.assigneeId;
      happened.push(['assigned', { from: t.assigneeId, to: input.assigneeId }]);
    }
    const urgency = input.urgency ?? t.urgency;
    const departmentId = input.departmentId ?? t.departmentId;
    if (departmentId !== t.departmentId) {
      if (!(await db.models.Department.findByPk(departmentId, { attributes: ['id'] }))) throw new ValidationError([{ path: 'departmentId', message: 'unknown department' }]);
      changes.departmentId = departmentId;
      happened.push(['department_changed', { from: t.departmentId, to: departmentId }]);
    }
    if (urgency !== t.urgency) {
      changes.urgency = urgency;
      happened.push(['urgency_changed', { from: t.urgency, to: urgency }]);
    }
    if (urgency !== t.urgency || departmentId !== t.departmentId) {
      // New targets from the new policy, counted from the ticket's creation as before.
      const plan = await sla.plan(departmentId, urgency, t.createdAt, { respondedAt: t.firstRespondedAt ?? null, solvedAt: t.solvedAt ?? null });
      Object.assign(changes, plan);
    }
    if (happened.length === 0) return { ticket: await views.agentView(t), deliver: async () => undefined };
    await t.update({ ...changes, updatedAt: at });
    for (const [type, data] of happened) await event(t, type, user, data, at);
    const view = await views.agentView(t);
    return {
      ticket: view,
      deliver: async () => {
        pushes.updated(view, socketId, { departmentId: previous.departmentId, assigneeId: previous.assigneeId });
        if (previous.status !== t.status) pushes.visitorUpdated(t.visitorId, views.visitorView(t));
      },
    };
  }

  async function calledBack(user: AgentUser, input: CalledBackInput, socketId: string): Promise<{ ticket: AgentTicket; deliver: Deliver }> {
    const t = await access(user, input.ticketId);
    if (t.kind !== 'callback') throw new RefusedError<TicketConflict>('not_a_callback', 'This ticket is not a callback request.');
    // Pressing it twice changes nothing the second time.
    if (t.calledBackAt) return { ticket: await views.agentView(t), deliver: async () => undefined };
    const at = deps.now();
    const previous = { status: t.status, assigneeId: t.assigneeId };
    let noteMessage: Message | null = null;
    if (input.note) noteMessage = (await write(user, t, `called-back-${t.id}`, input.note, true)).message;
    await t.update({
      ...statusChanges(t, input.status, at),
      ...firstResponse(t, at),
      calledBackAt: at,
      calledBackBy: user.id,
      unanswered: false,
      assigneeId: t.assigneeId ?? user.id,
      lastActivityAt: at,
      updatedAt: at,
    });
    await event(t, 'called_back', user, noteMessage ? { messageId: noteMessage.id } : null, at);
    const view = await views.agentView(t);
    return {
      ticket: view,
      deliver: async () => {
        if (noteMessage) pushes.message(view, noteMessage, socketId);
        pushes.updated(view, socketId, { assigneeId: previous.assigneeId });
        if (previous.status !== t.status) pushes.visitorUpdated(t.visitorId, views.visitorView(t));
      },
    };
  }

  return {
    list,
    get,
    reply,
    note,
    update,
    calledBack,
    /** May the agent read the thread of this conversation as a ticket's (its files, such as a voicemail)? */
    async mayReadThread(user: AgentUser, conversationId: string): Promise<boolean> {
      const t = await Ticket.findOne({ where: { conversationId } });
      return t !== null && (await mayWork(user, t));
    },
    similar: async (user: AgentUser, ticketId: number) => ({ tickets: await similar(user, await access(user, ticketId)) }),
    /** Anyone who may work a ticket may hand it to a colleague of its department. */
    async assignees(user: AgentUser, ticketId: number): Promise<{ assignees: TicketAssignee[] }> {
      const t = await access(user, ticketId);
      const members = await db.models.DepartmentMember.findAll({ where: { departmentId: t.departmentId }, attributes: ['userId'] });
      const users = await db.models.User.findAll({
        where: { id: members.map((m) => m.userId), active: true },
        attributes: ['id', 'name', 'presenceStatus'],
        order: [['name', 'ASC']],
      });
      return { assignees: users.map((u) => ({ id: u.id, name: u.name, status: u.presenceStatus })) };
    },
  };
}

export type AgentTickets = ReturnType<typeof createAgentTickets>;
