import { Op } from 'sequelize';
import type { TransferDetail } from '../../../shared/events/agent.js';
import type { Transfer, TransferCandidate, TransferDepartment } from '../../../shared/schemas/transfer.js';
import { hasRole } from '../auth/middleware.js';
import { NotFoundError } from '../errors/errors.js';
import { capacityFor, isReachable, loadOf, transferRefusal } from '../routing/eligibility.js';
import type { AgentRuntime } from '../routing/types.js';
import type { AgentUser } from '../auth/agentUser.js';
import type { Consult } from './consult.js';
import type { TransferDeps } from './deps.js';
import type { TransferModel } from './models.js';

const offline = (agentId: number): AgentRuntime => ({
  agentId, status: 'offline', reason: null, since: 0, connections: [], graceUntil: null, active: [], offer: null, wrapUps: [], reserved: [], idleSince: 0, lastOfferedAt: {},
});

/** Reading transfers: who may see which, and whom a chat could go to. */
export function createTransferQueries(deps: TransferDeps, consult: Consult) {
  const { db, models, engine, chat, views } = deps;
  const { Conversation, User, Department, DepartmentMember } = db.models;
  const { Transfer } = models;

  const isParty = (row: TransferModel, userId: number) => row.fromAgentId === userId || row.toAgentId === userId || row.requestedBy === userId;

  /** Has this agent been party to a transfer of the conversation (so may read its history)? */
  async function participant(userId: number, conversationId: string): Promise<boolean> {
    const row = await Transfer.findOne({
      where: { conversationId, [Op.or]: [{ fromAgentId: userId }, { toAgentId: userId }, { requestedBy: userId }] },
      attributes: ['id'],
    });
    return row !== null;
  }

  async function get(user: AgentUser, transferId: string): Promise<TransferDetail> {
    const row = await Transfer.findByPk(transferId);
    if (!row || !(isParty(row, user.id) || hasRole(user.role, 'supervisor'))) throw new NotFoundError('No such transfer.');
    const conversation = await Conversation.findByPk(row.conversationId);
    if (!conversation) throw new NotFoundError('No such transfer.');
    return { transfer: await views.transfer(row), conversation: await chat.agent.detail(conversation), consult: await consult.thread(row.id) };
  }

  async function list(user: AgentUser, conversationId: string | undefined): Promise<Transfer[]> {
    const supervisor = hasRole(user.role, 'supervisor');
    if (conversationId !== undefined) {
      const conversation = await Conversation.findByPk(conversationId, { attributes: ['id', 'assignedAgentId'] });
      const may = conversation && (supervisor || conversation.assignedAgentId === user.id || (await participant(user.id, conversationId)));
      if (!may) throw new NotFoundError('No such conversation.');
      return views.toTransfers(await Transfer.findAll({ where: { conversationId }, order: [['createdAt', 'ASC']] }));
    }
    const mine = supervisor ? {} : { [Op.or]: [{ fromAgentId: user.id }, { toAgentId: user.id }] };
    return views.toTransfers(await Transfer.findAll({ where: { status: 'pending', ...mine }, order: [['createdAt', 'ASC']] }));
  }

  /** Conversations an agent follows as the colleague of a pending transfer (their consoles join the rooms). */
  async function followed(agentId: number): Promise<string[]> {
    const rows = await Transfer.findAll({ where: { status: 'pending', toAgentId: agentId }, attributes: ['conversationId'] });
    return rows.map((r) => r.conversationId);
  }

  async function candidates(user: AgentUser, conversationId: string): Promise<{ agents: TransferCandidate[]; departments: TransferDepartment[] }> {
    const conversation = await Conversation.findByPk(conversationId);
    if (!conversation || (conversation.assignedAgentId !== user.id && !hasRole(user.role, 'supervisor'))) throw new NotFoundError('No such conversation.');
    const [profileList, runtimeList, queue, users, members, departments] = await Promise.all([
      engine.store.profiles(),
      engine.store.agents(),
      engine.store.queue(null),
      User.findAll({ where: { active: true }, attributes: ['id', 'name', 'languages', 'maxChats'] }),
      DepartmentMember.findAll({ attributes: ['userId', 'departmentId', 'level'] }),
      Department.findAll({ attributes: ['id', 'name'], order: [['name', 'ASC']] }),
    ]);
    const profiles = new Map(profileList.map((p) => [p.agentId, p]));
    const runtimes = new Map(runtimeList.map((a) => [a.agentId, a]));
    const { departmentId, language } = conversation;
    const route = { conversationId, departmentId, inCall: (await engine.store.route(conversationId))?.inCall === true };
    // Only a call's transfer cares who is on a call: one call per agent.
    const onCall = new Set<number>();
    if (route.inCall) {
      for (const a of runtimeList) {
        const routes = await Promise.all(a.active.filter((id) => id !== conversationId).map((id) => engine.store.route(id)));
        if (routes.some((r) => r?.inCall)) onCall.add(a.agentId);
      }
    }

    const agents = users
      .filter((u) => u.id !== conversation.assignedAgentId && u.id !== user.id)
      .map((u): TransferCandidate & { member: boolean; speaks: boolean } => {
        const runtime = runtimes.get(u.id) ?? offline(u.id);
        const profile = profiles.get(u.id) ?? null;
        const levels = members.filter((m) => m.userId === u.id).map((m) => ({ departmentId: m.departmentId, level: m.level }));
        return {
          agentId: u.id,
          name: u.name,
          status: runtime.status,
          reason: runtime.reason,
          connected: runtime.connections.length > 0,
          load: loadOf(runtime),
          capacity: profile ? capacityFor(profile, departmentId) : u.maxChats,
          languages: u.languages,
          levels,
          refusal: transferRefusal(profile, runtime, route, false, onCall.has(u.id)),
          member: levels.some((l) => l.departmentId === departmentId),
          speaks: u.languages.includes(language),
        };
      })
      // Best choices first: can take it, knows the department, speaks the language, least busy.
      .sort((a, b) => Number(a.refusal !== null) - Number(b.refusal !== null) || Number(b.member) - Number(a.member) || Number(b.speaks) - Number(a.speaks) || a.load - b.load || a.name.localeCompare(b.name))
      .map(({ member: _m, speaks: _s, ...candidate }) => candidate);

    const free = (d: number) =>
      runtimeList.filter((a) => {
        const p = profiles.get(a.agentId);
        return p && p.memberships[d] && isReachable(a) && loadOf(a) < capacityFor(p, d) && p.languages.includes(language);
      }).length;
    return {
      agents,
      departments: departments
        .filter((d) => d.id !== departmentId)
        .map((d) => ({ id: d.id, name: d.name, agentsAvailable: free(d.id), waiting: queue.filter((q) => q.departmentId === d.id).length })),
    };
  }

  return { get, list, followed, participant, candidates };
}

export type TransferQueries = ReturnType<typeof createTransferQueries>;
