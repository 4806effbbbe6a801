import { randomUUID } from 'node:crypto';
import { Op } from 'sequelize';
import type { AgentConversation } from '../../../shared/schemas/chat.js';
import type { Transfer } from '../../../shared/schemas/transfer.js';
import type { WithDelivery } from '../chat/chatService.js';
import type { ConversationModel } from '../db/models/index.js';
import { ConflictError, ValidationError } from '../errors/errors.js';
import type { Moved } from '../routing/types.js';
import type { AgentUser } from '../auth/agentUser.js';
import { refused, storeHandoverNote, type TransferDeps } from './deps.js';
import type { Outcomes } from './outcome.js';

/**
 * Cold transfer: the chat goes to another department's queue at once, ahead of the chats waiting
 * there, with its original waiting time; that department's routing rules take it from there. The
 * note stays with the conversation as an internal note for whoever answers next.
 */
export function createColdTransfers(deps: TransferDeps, outcomes: Outcomes) {
  const { db, models, engine, messages, conversationViews, notifier, pushes, views, events, log, options } = deps;
  const { Conversation, Department } = db.models;

  /** Ends a warm transfer that was still waiting when its chat was moved on (by a supervisor). */
  async function dropped(moved: Moved) {
    const pending = moved.previous.transfer;
    const row = pending ? await models.Transfer.findByPk(pending.transferId) : null;
    return row ? outcomes.end(row, { status: 'cancelled', cancelCause: 'conversation_moved' }, { type: 'system', id: null }) : null;
  }

  async function move(
    actor: AgentUser,
    conversation: ConversationModel,
    input: { clientId: string; departmentId: number; note: string },
    socketId: string,
    as: 'transferred' | 'reassigned',
  ): Promise<WithDelivery<{ transfer: Transfer; conversation: AgentConversation }>> {
    const department = await Department.findByPk(input.departmentId, { attributes: ['id', 'name'] });
    if (!department) throw new ValidationError([{ path: 'to.departmentId', message: 'unknown department' }]);
    if (department.id === conversation.departmentId) throw refused('same_department');
    if (as === 'transferred' && (await engine.store.route(conversation.id))?.transfer) throw refused('pending');
    const at = deps.now();
    const moved = await engine.store.moveToDepartment(conversation.id, department.id, at.getTime(), options.reofferAfterMs);
    if (!moved) throw new ConflictError('The conversation is not waiting or being served.');
    const { previous, route } = moved;
    const [changed] = await Conversation.update(
      { status: 'queued', assignedAgentId: null, departmentId: department.id, priority: route.priority },
      { where: { id: conversation.id, status: { [Op.ne]: 'closed' } } },
    );
    // Closed meanwhile: closing releases the route.
    if (changed !== 1) throw new ConflictError('The conversation has ended.');
    await conversation.reload();
    const fromAgentId = previous.state === 'assigned' ? previous.agentId : null;
    const transferId = randomUUID();
    const row = await models.Transfer.create({
      id: transferId,
      conversationId: conversation.id,
      clientId: input.clientId,
      kind: 'department',
      status: 'completed',
      fromAgentId,
      toAgentId: null,
      fromDepartmentId: previous.departmentId,
      toDepartmentId: department.id,
      requestedBy: actor.id,
      note: input.note,
      forced: false,
      expiresAt: null,
      resolvedAt: at,
      createdAt: at,
    });
    if (input.note) await storeHandoverNote(messages, conversation.id, actor, transferId, input.note);
    const notice = await messages.system(conversation.id, conversation.language, 'system.transferredToDepartment', { department: department.name });
    await events.record(conversation.id, as, { type: 'agent', id: actor.id }, {
      transferId,
      kind: 'department',
      fromDepartmentId: previous.departmentId,
      toDepartmentId: department.id,
      toDepartmentName: department.name,
      fromAgentId,
    });
    await events.record(conversation.id, 'queued', { type: 'system', id: null }, { departmentId: department.id, transferId });
    const endPending = await dropped(moved);
    const view = await conversationViews.agentView(conversation);
    const visitorView = conversation.toPublic(null);
    const transfer = await views.transfer(row);
    log.info({ transferId, conversationId: conversation.id, from: previous.departmentId, to: department.id }, 'chat transferred to a department');
    return {
      transfer,
      conversation: view,
      deliver: async () => {
        notifier.conversationUpdatedForAgents(view, socketId);
        notifier.conversationUpdatedForVisitor(conversation.visitorId, visitorView);
        notifier.message(conversation.visitorId, notice);
        if (previous.agentId !== null) {
          if (previous.state === 'offered') notifier.offerRevoked(previous.agentId, { conversationId: conversation.id, reason: 'withdrawn' });
          notifier.leaveConversation(previous.agentId, conversation.id);
        }
        pushes.transferUpdated(transfer, socketId);
        await endPending?.();
        engine.touchQueue(previous.departmentId);
        engine.touchQueue(department.id);
        if (previous.agentId !== null) await engine.publishAgent(previous.agentId);
        const waiting = await engine.queueStatus(conversation.id);
        if (waiting && waiting.agentsAvailable === 0) await deps.unserved.nobodyAvailable(conversation.id, department.id);
        engine.kick();
      },
    };
  }

  return { move, dropped };
}

export type ColdTransfers = ReturnType<typeof createColdTransfers>;
