import type { z } from 'zod';
import type { AgentConversation } from '../../../shared/schemas/chat.js';
import type { reassignSchema, Transfer, transferRequestSchema } from '../../../shared/schemas/transfer.js';
import { hasRole } from '../auth/middleware.js';
import type { WithDelivery } from '../chat/chatService.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors/errors.js';
import type { AgentUser } from '../auth/agentUser.js';
import type { Bus } from '../events/bus.js';
import { createColdTransfers } from './cold.js';
import { createConsult } from './consult.js';
import { refused, type TransferDeps } from './deps.js';
import { defineTransferModels, type TransferModel } from './models.js';
import { createOutcomes } from './outcome.js';
import { createTransferPushes } from './pushes.js';
import { createTransferQueries } from './queries.js';
import { createReassign } from './reassign.js';
import { createTransferViews } from './views.js';
import { createWarmTransfers } from './warm.js';

type RequestInput = z.output<typeof transferRequestSchema>;
type ReassignInput = z.output<typeof reassignSchema>;
type Handed = WithDelivery<{ transfer: Transfer; conversation: AgentConversation }>;

export type TransferSetup = Omit<TransferDeps, 'models' | 'views' | 'pushes'> & { bus: Bus };

/** Transfers between agents and to departments, and supervisors' reassignments (see docs/protocol.md). */
export function createTransfers(setup: TransferSetup) {
  const { bus, ...base } = setup;
  const deps: TransferDeps = {
    ...base,
    models: defineTransferModels(base.db.sequelize),
    views: createTransferViews(base.db),
    pushes: createTransferPushes(bus),
  };
  const { db, models, chat, conversationViews, views, log, options } = deps;
  const outcomes = createOutcomes(deps);
  const warm = createWarmTransfers(deps, outcomes);
  const cold = createColdTransfers(deps, outcomes);
  const reassignment = createReassign(deps, cold);
  const consult = createConsult(deps);
  const queries = createTransferQueries(deps, consult);

  /** A retried request (same client id) gets what the first one made, and changes nothing. */
  async function retried(row: TransferModel, user: AgentUser): Promise<Handed> {
    const conversation = await db.models.Conversation.findByPk(row.conversationId);
    if (row.requestedBy !== user.id || !conversation) throw new NotFoundError('No such conversation.');
    return { transfer: await views.transfer(row), conversation: await conversationViews.agentView(conversation), deliver: async () => undefined };
  }
  const earlier = (conversationId: string, clientId: string) => models.Transfer.findOne({ where: { conversationId, clientId } });

  async function request(user: AgentUser, input: RequestInput, socketId: string): Promise<Handed> {
    const done = await earlier(input.conversationId, input.clientId);
    if (done) return retried(done, user);
    const conversation = await chat.agentConversation(user, input.conversationId, 'read');
    if (conversation.assignedAgentId !== user.id || conversation.status !== 'active') throw refused('not_assigned');
    if (input.force && !hasRole(user.role, 'supervisor')) throw new ForbiddenError('Only supervisors may transfer over capacity.');
    return input.to.type === 'agent'
      ? warm.ask(user, conversation, { clientId: input.clientId, agentId: input.to.agentId, note: input.note, force: input.force }, socketId)
      : cold.move(user, conversation, { clientId: input.clientId, departmentId: input.to.departmentId, note: input.note }, socketId, 'transferred');
  }

  async function reassign(user: AgentUser, input: ReassignInput, socketId: string): Promise<Handed> {
    if (!hasRole(user.role, 'supervisor')) throw new ForbiddenError('Supervisors only.');
    const done = await earlier(input.conversationId, input.clientId);
    if (done) return retried(done, user);
    const conversation = await db.models.Conversation.findByPk(input.conversationId);
    if (!conversation) throw new NotFoundError('No such conversation.');
    if (conversation.status === 'closed') throw new ConflictError('The conversation has ended.');
    return input.to.type === 'agent'
      ? reassignment.toAgent(user, conversation, { clientId: input.clientId, agentId: input.to.agentId, note: input.note, force: input.force }, socketId)
      : cold.move(user, conversation, { clientId: input.clientId, departmentId: input.to.departmentId, note: input.note }, socketId, 'reassigned');
  }

  let ticking = false;
  async function tick(): Promise<void> {
    if (ticking) return;
    ticking = true;
    try {
      await warm.tick();
    } catch (error) {
      log.error({ err: error }, 'transfer timer failed');
    } finally {
      ticking = false;
    }
  }
  let timer: NodeJS.Timeout | null = null;

  return {
    request,
    reassign,
    accept: warm.accept,
    decline: warm.decline,
    cancel: warm.cancel,
    sendConsult: consult.send,
    get: queries.get,
    list: queries.list,
    candidates: queries.candidates,
    followed: queries.followed,
    participant: queries.participant,
    /** Is this agent the requester or the colleague of this pending warm transfer (the two who may consult by voice)? */
    async consultParty(transferId: string, agentId: number): Promise<boolean> {
      const t = await models.Transfer.findByPk(transferId, { attributes: ['kind', 'status', 'fromAgentId', 'toAgentId'] });
      return t !== null && t.kind === 'agent' && t.status === 'pending' && (t.fromAgentId === agentId || t.toAgentId === agentId);
    },
    tick,
    start(): void {
      timer ??= setInterval(() => void tick(), options.tickMs);
      timer.unref();
    },
    stop(): void {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}

export type Transfers = ReturnType<typeof createTransfers>;
