import type { AgentTicket, SlaState, TicketEvent, TicketEventType, TicketSummary, TrackedTicket, VisitorTicket } from '../../../shared/schemas/tickets.js';
import type { ConversationViews } from '../conversations/views.js';
import type { Database } from '../db/database.js';
import type { TicketModel, TicketModels } from './models.js';
import type { Substitution } from './substitution.js';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

const callbackOf = (t: TicketModel) =>
  t.kind === 'callback' ? { phone: t.phone ?? '', preferredFrom: iso(t.preferredFrom), preferredTo: iso(t.preferredTo), calledBackAt: iso(t.calledBackAt) } : null;

/** The worse of the SLA targets still running: what the inbox marks. */
function escalationOf(states: SlaState[]): AgentTicket['escalation'] {
  if (states.includes('breached')) return 'breached';
  if (states.includes('approaching')) return 'approaching';
  return 'none';
}

function parseData(raw: string | null): Record<string, unknown> | null {
  if (raw === null) return null;
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Builds the shared ticket shapes from rows: the visitor's, the agents', the tracking page's. */
export function createTicketViews(deps: { db: Database; models: TicketModels; conversationViews: ConversationViews; substitution: Substitution }) {
  const { User, Department } = deps.db.models;

  const visitorView = (t: TicketModel): VisitorTicket => ({
    id: t.id,
    number: t.number,
    kind: t.kind,
    status: t.status,
    departmentId: t.departmentId,
    conversationId: t.conversationId,
    language: t.language,
    subject: t.subject,
    callback: callbackOf(t),
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
  });

  async function agentViews(rows: TicketModel[]): Promise<AgentTicket[]> {
    if (rows.length === 0) return [];
    const assignees = [...new Set(rows.map((r) => r.assigneeId).filter((id): id is number => id !== null))];
    const users = new Map((assignees.length ? await User.findAll({ where: { id: assignees }, attributes: ['id', 'name'] }) : []).map((u) => [u.id, u.name]));
    const acting = new Map<number, { id: number; name: string } | null>();
    for (const id of assignees) acting.set(id, await deps.substitution.acting(id));
    return rows.map((t) => {
      const substitute = t.assigneeId === null ? null : (acting.get(t.assigneeId) ?? null);
      const running = t.status === 'solved' || t.status === 'closed' ? [] : [t.firstRespondedAt ? 'met' : t.firstResponseSla, t.resolutionSla];
      return {
        id: t.id,
        number: t.number,
        kind: t.kind,
        source: t.source,
        status: t.status,
        urgency: t.urgency,
        departmentId: t.departmentId,
        assigneeId: t.assigneeId,
        assigneeName: t.assigneeId === null ? null : (users.get(t.assigneeId) ?? null),
        substituteId: substitute?.id ?? null,
        substituteName: substitute?.name ?? null,
        conversationId: t.conversationId,
        visitorId: t.visitorId,
        name: t.name,
        email: t.email,
        customerNumber: t.customerNumber,
        product: t.product,
        language: t.language,
        subject: t.subject,
        callback: callbackOf(t),
        unanswered: Boolean(t.unanswered),
        sla: {
          firstResponseDueAt: iso(t.firstResponseDueAt),
          firstRespondedAt: iso(t.firstRespondedAt),
          firstResponse: t.firstResponseSla,
          resolutionDueAt: iso(t.resolutionDueAt),
          resolvedAt: iso(t.solvedAt),
          resolution: t.resolutionSla,
        },
        escalation: escalationOf(running as SlaState[]),
        createdAt: t.createdAt.toISOString(),
        updatedAt: t.updatedAt.toISOString(),
        lastActivityAt: t.lastActivityAt.toISOString(),
      };
    });
  }

  const summary = (t: TicketModel): TicketSummary => ({
    id: t.id,
    number: t.number,
    status: t.status,
    subject: t.subject,
    departmentId: t.departmentId,
    createdAt: t.createdAt.toISOString(),
  });

  async function events(ticketId: number): Promise<TicketEvent[]> {
    const rows = await deps.models.TicketEvent.findAll({ where: { ticketId }, order: [['id', 'ASC']], limit: 1000 });
    const agentIds = [...new Set(rows.filter((r) => r.actorType === 'agent' && r.actorId).map((r) => Number(r.actorId)))];
    const names = new Map((agentIds.length ? await User.findAll({ where: { id: agentIds }, attributes: ['id', 'name'] }) : []).map((u) => [String(u.id), u.name]));
    return rows.map((r) => ({
      id: Number(r.id),
      ticketId: r.ticketId,
      type: r.type as TicketEventType,
      actor: { type: r.actorType, id: r.actorId, name: r.actorType === 'agent' && r.actorId ? (names.get(r.actorId) ?? null) : null },
      data: parseData(r.data),
      createdAt: r.createdAt.toISOString(),
    }));
  }

  /** The tracking page: status and the public thread. Internal notes are filtered out by the query itself. */
  async function tracked(t: TicketModel): Promise<TrackedTicket> {
    const department = await Department.findByPk(t.departmentId, { attributes: ['name'] });
    const messages = await deps.conversationViews.messages(t.conversationId, { withNotes: false, last: 500 });
    return {
      number: t.number,
      kind: t.kind,
      status: t.status,
      subject: t.subject,
      departmentName: department?.name ?? '',
      language: t.language,
      createdAt: t.createdAt.toISOString(),
      updatedAt: t.updatedAt.toISOString(),
      messages: messages.map((m) => ({ id: m.id, senderType: m.senderType, senderName: m.senderName, body: m.body, createdAt: m.createdAt })),
    };
  }

  return { visitorView, agentViews, agentView: async (t: TicketModel) => (await agentViews([t]))[0]!, summary, events, tracked };
}

export type TicketViews = ReturnType<typeof createTicketViews>;
