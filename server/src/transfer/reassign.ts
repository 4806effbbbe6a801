import { randomUUID } from 'node:crypto';
import { Op } from 'sequelize';
import type { AgentConversation } from '../../../shared/schemas/chat.js';
import type { Transfer } from '../../../shared/schemas/transfer.js';
import type { WithDelivery } from '../chat/chatService.js';
import type { ConversationModel } from '../db/models/index.js';
import { ConflictError, NotFoundError } from '../errors/errors.js';
import type { AgentUser } from '../auth/agentUser.js';
import type { ColdTransfers } from './cold.js';
import { refused, storeHandoverNote, type TransferDeps } from './deps.js';

/**
 * A supervisor puts a conversation with an agent at once, whatever its state: waiting, offered
 * or served (and even with a transfer pending). The store moves it in one step; the previous
 * agent is released into wrap-up and the visitor learns who answers now.
 */
export function createReassign(deps: TransferDeps, cold: ColdTransfers) {
  const { db, models, engine, messages, conversationViews, notifier, pushes, views, events, log } = deps;
  const { Conversation, User } = db.models;

  async function toAgent(
    supervisor: AgentUser,
    conversation: ConversationModel,
    input: { clientId: string; agentId: number; note: string; force: boolean },
    socketId: string,
  ): Promise<WithDelivery<{ transfer: Transfer; conversation: AgentConversation }>> {
    const agent = await User.findByPk(input.agentId, { attributes: ['id', 'name', 'active'] });
    if (!agent || !agent.active) throw new NotFoundError('No such colleague.');
    const at = deps.now();
    const result = await engine.store.reassign(conversation.id, agent.id, at.getTime(), input.force);
    if (!result.ok) throw refused(result.refusal);
    const { previous } = result;
    const [changed] = await Conversation.update(
      { status: 'active', assignedAgentId: agent.id, acceptedAt: conversation.acceptedAt ?? at },
      { where: { id: conversation.id, status: { [Op.ne]: 'closed' } } },
    );
    if (changed !== 1) throw new ConflictError('The conversation has ended.');
    await conversation.reload();
    const fromAgentId = previous.state === 'assigned' ? previous.agentId : null;
    const transferId = randomUUID();
    const row = await models.Transfer.create({
      id: transferId,
      conversationId: conversation.id,
      clientId: input.clientId,
      kind: 'agent',
      status: 'completed',
      fromAgentId,
      toAgentId: agent.id,
      fromDepartmentId: conversation.departmentId,
      toDepartmentId: null,
      requestedBy: supervisor.id,
      note: input.note,
      forced: input.force,
      expiresAt: null,
      resolvedAt: at,
      createdAt: at,
    });
    if (input.note) await storeHandoverNote(messages, conversation.id, supervisor, transferId, input.note);
    const joined = await messages.system(conversation.id, conversation.language, 'system.agentJoined', { agent: agent.name });
    await events.record(conversation.id, 'reassigned', { type: 'agent', id: supervisor.id }, {
      transferId,
      kind: 'agent',
      fromAgentId,
      fromState: previous.state,
      toAgentId: agent.id,
      toAgentName: agent.name,
      forced: input.force,
    });
    const endPending = await cold.dropped(result);
    const view = await conversationViews.agentView(conversation);
    const transfer = await views.transfer(row);
    log.info({ transferId, conversationId: conversation.id, fromAgentId, toAgentId: agent.id }, 'conversation reassigned');
    return {
      transfer,
      conversation: view,
      deliver: async () => {
        notifier.joinConversation(agent.id, conversation.id);
        notifier.conversationAssigned(agent.id, view);
        notifier.conversationUpdatedForAgents(view, socketId);
        if (previous.agentId !== null && previous.agentId !== agent.id) {
          if (previous.state === 'offered') notifier.offerRevoked(previous.agentId, { conversationId: conversation.id, reason: 'withdrawn' });
          notifier.leaveConversation(previous.agentId, conversation.id);
        }
        notifier.conversationUpdatedForVisitor(conversation.visitorId, conversation.toPublic(agent.name));
        notifier.message(conversation.visitorId, joined);
        pushes.transferUpdated(transfer, socketId);
        await endPending?.();
        if (previous.state !== 'assigned') engine.touchQueue(previous.departmentId);
        if (previous.agentId !== null) await engine.publishAgent(previous.agentId);
        await engine.publishAgent(agent.id);
        engine.kick();
      },
    };
  }

  return { toAgent };
}

export type Reassign = ReturnType<typeof createReassign>;
