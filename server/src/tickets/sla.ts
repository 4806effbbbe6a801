import { Op } from 'sequelize';
import type { SlaState, SlaTarget, TicketUrgency } from '../../../shared/schemas/tickets.js';
import type { TicketDeps } from './deps.js';
import type { TicketModel } from './models.js';

export interface SlaPlan {
  firstResponseDueAt: Date | null;
  firstResponseWarnAt: Date | null;
  firstResponseSla: SlaState;
  resolutionDueAt: Date | null;
  resolutionWarnAt: Date | null;
  resolutionSla: SlaState;
}

const rank: Record<SlaState, number> = { none: 0, met: 0, ok: 1, approaching: 2, breached: 3 };

/**
 * SLA per department and urgency: first-response and resolution targets counted from the
 * ticket's creation. A timer marks a target approaching (SLA_WARN_PERCENT of its time used) and
 * breached; each step is stored as a ticket event and pushed to supervisors, the department and
 * the assignee. A conditional UPDATE makes one node (one pass) escalate each step once.
 */
export function createSla(deps: Pick<TicketDeps, 'models' | 'views' | 'pushes' | 'log' | 'now' | 'options'>) {
  const { models, log, now } = deps;
  const { Ticket, SlaPolicy, TicketEvent } = models;

  async function plan(departmentId: number, urgency: TicketUrgency, createdAt: Date, done: { respondedAt: Date | null; solvedAt: Date | null }): Promise<SlaPlan> {
    const policy = await SlaPolicy.findOne({ where: { departmentId, urgency } });
    const target = (minutes: number | null | undefined, met: Date | null) => {
      if (!minutes) return { due: null, warn: null, state: 'none' as SlaState };
      const due = new Date(createdAt.getTime() + minutes * 60_000);
      const warn = new Date(createdAt.getTime() + Math.floor((minutes * 60_000 * deps.options.slaWarnPercent) / 100));
      return { due, warn, state: (met ? 'met' : 'ok') as SlaState };
    };
    const fr = target(policy?.firstResponseMinutes, done.respondedAt);
    const res = target(policy?.resolutionMinutes, done.solvedAt);
    return {
      firstResponseDueAt: fr.due,
      firstResponseWarnAt: fr.warn,
      firstResponseSla: fr.state,
      resolutionDueAt: res.due,
      resolutionWarnAt: res.warn,
      resolutionSla: res.state,
    };
  }

  const levelAt = (at: Date, warn: Date | null, due: Date | null): SlaState | null => (due && at >= due ? 'breached' : warn && at >= warn ? 'approaching' : null);

  async function escalate(t: TicketModel, target: SlaTarget, level: 'approaching' | 'breached', from: SlaState): Promise<void> {
    const [changed] =
      target === 'first_response'
        ? await Ticket.update({ firstResponseSla: level }, { where: { id: t.id, firstResponseSla: from } })
        : await Ticket.update({ resolutionSla: level }, { where: { id: t.id, resolutionSla: from } });
    if (changed !== 1) return;
    await t.reload();
    const dueAt = target === 'first_response' ? t.firstResponseDueAt : t.resolutionDueAt;
    await TicketEvent.create({ ticketId: t.id, type: `sla_${level}`, actorType: 'system', actorId: null, data: JSON.stringify({ target, dueAt: dueAt?.toISOString() ?? null }), createdAt: now() });
    log.info({ ticketId: t.id, number: t.number, target, level }, 'ticket SLA escalated');
    const view = await deps.views.agentView(t);
    deps.pushes.escalated({ ticket: view, target, level });
    deps.pushes.updated(view);
  }

  /** One pass over the tickets whose targets need a new mark. */
  async function tick(): Promise<void> {
    const at = now();
    const due = await Ticket.findAll({
      where: {
        status: ['new', 'open', 'pending'],
        [Op.or]: [
          { firstRespondedAt: null, firstResponseWarnAt: { [Op.lte]: at }, firstResponseSla: ['ok', 'approaching'] },
          { resolutionWarnAt: { [Op.lte]: at }, resolutionSla: ['ok', 'approaching'] },
        ],
      },
      order: [['id', 'ASC']],
      limit: 200,
    });
    for (const t of due) {
      try {
        const fr = t.firstRespondedAt ? null : levelAt(at, t.firstResponseWarnAt, t.firstResponseDueAt);
        if (fr && rank[fr] > rank[t.firstResponseSla as SlaState]) await escalate(t, 'first_response', fr as 'approaching' | 'breached', t.firstResponseSla);
        const res = levelAt(at, t.resolutionWarnAt, t.resolutionDueAt);
        if (res && rank[res] > rank[t.resolutionSla as SlaState]) await escalate(t, 'resolution', res as 'approaching' | 'breached', t.resolutionSla);
      } catch (error) {
        log.error({ err: error, ticketId: t.id }, 'SLA check failed');
      }
    }
  }

  return { plan, tick };
}

export type Sla = ReturnType<typeof createSla>;
