import { Op } from 'sequelize';
import { waitChoices } from '../../../shared/schemas/tickets.js';
import type { StartFallback } from '../chat/chatService.js';
import type { ConversationModel, DepartmentModel } from '../db/models/index.js';
import { sharedRead } from '../db/sharedRead.js';
import { isOpen, nextOpening } from '../departments/openingHours.js';
import type { AgentProfile, AgentRuntime, QueuedView } from '../routing/types.js';
import type { Conversion } from './convert.js';
import type { TicketDeps } from './deps.js';

interface Presence {
  profiles: AgentProfile[];
  agents: Map<number, AgentRuntime>;
  at: number;
}

/**
 * The offline fallback's triggers on the live path:
 * 1. a new chat nobody who could serve it is online for (here, then the fallback department);
 * 2. a new chat for a closed department;
 * 3. a chat waiting past the department's maximum wait: the visitor is offered the choices;
 * 4. waiting chats whose last possible agent went offline (checked every pass of `tick`).
 * "Online" means signed in and not offline (away counts: a break ends), with a console connected
 * or within the reconnect grace; "could serve" means a member speaking the chat's language (or
 * the department's fallback language). Capacity and level do not matter: those only mean waiting.
 */
export function createFallback(deps: TicketDeps, conversion: Conversion) {
  const { db, engine, messages, events, notifier, log, now } = deps;
  const { Conversation, Department } = db.models;

  // A burst of chat starts asks these at once: concurrent callers share one read.
  const readPresence = sharedRead(async (_everyone: 'all'): Promise<Presence> => {
    const [profiles, agents] = await Promise.all([engine.store.profiles(), engine.store.agents()]);
    return { profiles, agents: new Map(agents.map((a) => [a.agentId, a])), at: now().getTime() };
  });
  const presence = () => readPresence('all');
  const department = sharedRead((id: number) => Department.findByPk(id));

  const online = (p: Presence, agentId: number) => {
    const a = p.agents.get(agentId);
    return a !== undefined && a.status !== 'offline' && (a.connections.length > 0 || (a.graceUntil ?? 0) > p.at);
  };

  const canServe = (p: Presence, d: DepartmentModel, language: string) =>
    p.profiles.some(
      (profile) =>
        profile.memberships[d.id] !== undefined &&
        online(p, profile.agentId) &&
        (profile.languages.includes(language) || (d.fallbackLanguage !== null && d.fallbackLanguage !== undefined && profile.languages.includes(d.fallbackLanguage))),
    );

  /** Where a chat nobody here can serve may go instead: the fallback department, if it is open and someone there can. */
  async function fallbackFor(p: Presence, d: DepartmentModel, language: string): Promise<DepartmentModel | null> {
    if (!d.fallbackDepartmentId) return null;
    const f = await Department.findByPk(d.fallbackDepartmentId);
    return f && isOpen(f.openingHours, now()) && canServe(p, f, language) ? f : null;
  }

  async function recordMove(conversation: ConversationModel, from: number, to: DepartmentModel) {
    await events.record(conversation.id, 'moved_to_fallback', { type: 'system', id: null }, { fromDepartmentId: from, toDepartmentId: to.id });
    return messages.system(conversation.id, conversation.language, 'system.transferredToDepartment', { department: to.name });
  }

  const start: StartFallback = {
    async retried(visitorId, clientId) {
      const ticket = await deps.models.Ticket.findOne({ where: { visitorId, clientId } });
      if (!ticket) return null;
      const conversation = await Conversation.findByPk(ticket.conversationId);
      const first = await db.models.Message.findOne({ where: { conversationId: ticket.conversationId, clientId } });
      if (!conversation || !first) return null;
      return { conversation: await deps.conversationViews.visitorView(conversation), message: first.toPublic(), ticket: await conversion.createdAgain(ticket) };
    },

    async atStart(conversation, socketId) {
      const d = await department(conversation.departmentId);
      if (!d) return { kind: 'queue' };
      const at = now();
      const actor = { type: 'visitor' as const, id: conversation.visitorId };
      if (!isOpen(d.openingHours, at)) {
        const converted = await conversion.convert(conversation, {
          source: 'department_closed',
          routed: false,
          clientId: await firstClientId(conversation.id),
          nextOpeningAt: nextOpening(d.openingHours, at)?.toISOString() ?? null,
          actor,
          exceptSocket: socketId,
        });
        return { kind: 'ticket', created: converted.created, conversation: converted.conversation, deliver: converted.deliver };
      }
      if (!d.offlineFallback) return { kind: 'queue' };
      // An empty routing state (a Redis that restarted, not yet rebuilt) says nothing about who is online.
      if ((await engine.store.epoch()) === null) return { kind: 'queue' };
      const p = await presence();
      if (canServe(p, d, conversation.language)) return { kind: 'queue' };
      const f = await fallbackFor(p, d, conversation.language);
      if (f) {
        await Conversation.update({ departmentId: f.id }, { where: { id: conversation.id, status: 'queued' } });
        conversation.departmentId = f.id;
        const line = await recordMove(conversation, d.id, f);
        log.info({ conversationId: conversation.id, from: d.id, to: f.id }, 'nobody online: new chat goes to the fallback department');
        return { kind: 'queue', deliver: async () => notifier.message(conversation.visitorId, line) };
      }
      const converted = await conversion.convert(conversation, { source: 'nobody_online', routed: false, clientId: await firstClientId(conversation.id), actor, exceptSocket: socketId });
      return { kind: 'ticket', created: converted.created, conversation: converted.conversation, deliver: converted.deliver };
    },
  };

  /** The start's client id marks the ticket too, so a retried start finds it. */
  async function firstClientId(conversationId: string): Promise<string | null> {
    const first = await db.models.Message.findOne({ where: { conversationId }, order: [['id', 'ASC']], attributes: ['clientId'] });
    return first?.clientId ?? null;
  }

  /** A waiting chat nobody here can serve: to the fallback department if someone there can, else a ticket. */
  async function unserved(route: QueuedView, d: DepartmentModel, p: Presence): Promise<void> {
    const conversation = await Conversation.findByPk(route.conversationId);
    if (!conversation || conversation.status !== 'queued') return;
    const f = await fallbackFor(p, d, route.language);
    if (f) {
      const moved = await engine.store.moveToDepartment(route.conversationId, f.id, now().getTime(), 0);
      if (!moved) return;
      const [changed] = await Conversation.update({ departmentId: f.id, priority: moved.route.priority }, { where: { id: conversation.id, status: 'queued' } });
      if (changed !== 1) {
        await engine.store.remove(conversation.id);
        return;
      }
      await conversation.reload();
      const line = await recordMove(conversation, d.id, f);
      log.info({ conversationId: conversation.id, from: d.id, to: f.id }, 'nobody online: chat moved to the fallback department');
      notifier.conversationUpdatedForVisitor(conversation.visitorId, await deps.conversationViews.visitorView(conversation));
      notifier.message(conversation.visitorId, line);
      engine.touchQueue(d.id);
      engine.touchQueue(f.id);
      engine.kick();
      return;
    }
    const converted = await conversion.convert(conversation, { source: 'agents_offline', routed: true, clientId: null, actor: { type: 'system', id: null } });
    await converted.deliver();
  }

  /** Trigger 3: past the maximum wait (again after each further maximum wait), the visitor is offered the choices. */
  async function overdue(route: QueuedView, d: DepartmentModel): Promise<void> {
    const at = now();
    const maxMs = d.maxWaitSeconds * 1000;
    if (at.getTime() - route.waitingSince < maxMs) return;
    const row = await Conversation.findByPk(route.conversationId, { attributes: ['id', 'visitorId', 'status', 'waitChoiceAt'] });
    if (!row || row.status !== 'queued') return;
    const last = row.waitChoiceAt;
    if (last && at.getTime() - last.getTime() < maxMs) return;
    // One node, one pass tells the visitor: the conditional UPDATE lets only one through.
    const [changed] = await Conversation.update(
      { waitChoiceAt: at },
      { where: { id: row.id, status: 'queued', waitChoiceAt: last ?? null } },
    );
    if (changed !== 1) return;
    const waitedSeconds = Math.floor((at.getTime() - route.waitingSince) / 1000);
    await events.record(row.id, 'wait_exceeded', { type: 'system', id: null }, { waitedSeconds });
    deps.pushes.visitorWaitExceeded(row.visitorId, { conversationId: row.id, waitedSeconds, maxWaitSeconds: d.maxWaitSeconds, choices: [...waitChoices] });
  }

  /** One pass over the waiting chats (the tickets timer runs them one at a time). */
  async function tick(): Promise<void> {
    try {
      const waiting = (await engine.store.queue(null)).filter((r) => r.state === 'queued');
      if (waiting.length === 0 || (await engine.store.epoch()) === null) return;
      const ids = [...new Set(waiting.map((r) => r.departmentId))];
      const departments = new Map((await Department.findAll({ where: { id: { [Op.in]: ids } } })).map((d) => [d.id, d]));
      const p = await presence();
      for (const route of waiting) {
        const d = departments.get(route.departmentId);
        if (!d) continue;
        try {
          if (d.offlineFallback && !canServe(p, d, route.language)) await unserved(route, d, p);
          else await overdue(route, d);
        } catch (error) {
          log.error({ err: error, conversationId: route.conversationId }, 'offline fallback check failed');
        }
      }
    } catch (error) {
      log.error({ err: error }, 'offline fallback pass failed');
    }
  }

  return {
    start,
    tick,
    /** A cold transfer left the chat where nobody is available: the same rule as for a waiting chat. */
    async nobodyAvailable(conversationId: string, departmentId: number): Promise<void> {
      const d = await Department.findByPk(departmentId);
      const route = await engine.store.queued(conversationId);
      if (!d || !route || route.state !== 'queued' || !d.offlineFallback || (await engine.store.epoch()) === null) return;
      const p = await presence();
      if (!canServe(p, d, route.language)) await unserved(route, d, p);
    },
  };
}

export type Fallback = ReturnType<typeof createFallback>;
