import { randomUUID } from 'node:crypto';
import type { ConversationDetail } from '../../../shared/events/agent.js';
import type { AgentConversation } from '../../../shared/schemas/chat.js';
import type { Transfer, TransferCancelCause } from '../../../shared/schemas/transfer.js';
import { hasRole } from '../auth/middleware.js';
import type { WithDelivery } from '../chat/chatService.js';
import type { EventActor } from '../conversations/eventLog.js';
import type { ConversationModel } from '../db/models/index.js';
import { ConflictError, NotFoundError } from '../errors/errors.js';
import type { AgentUser } from '../auth/agentUser.js';
import { refused, type TransferDeps } from './deps.js';
import type { TransferModel } from './models.js';
import type { Outcomes } from './outcome.js';
import { requestOfRoute } from '../routing/chatRequest.js';

const system: EventActor = { type: 'system', id: null };
const noDelivery = async () => undefined;


/**
 * Warm transfer: the requester asks a colleague, who follows the conversation live while deciding
 * and answers within the timeout. The store holds the colleague's slot meanwhile, and on accept
 * moves ownership and capacity in one step; the database, the rooms and the visitor follow.
 */
export function createWarmTransfers(deps: TransferDeps, outcomes: Outcomes) {
  const { db, models, engine, chat, messages, conversationViews, notifier, pushes, views, events, log, options } = deps;
  const { Conversation, User } = db.models;
  const { Transfer } = models;
  const nowMs = () => deps.now().getTime();

  async function ask(
    user: AgentUser,
    conversation: ConversationModel,
    input: { clientId: string; agentId: number; note: string; force: boolean },
    socketId: string,
  ): Promise<WithDelivery<{ transfer: Transfer; conversation: AgentConversation }>> {
    const colleague = await User.findByPk(input.agentId, { attributes: ['id', 'name', 'active'] });
    if (!colleague || !colleague.active) throw new NotFoundError('No such colleague.');
    const transferId = randomUUID();
    const at = deps.now();
    const expiresAt = at.getTime() + options.timeoutMs;
    const started = await engine.store.requestTransfer(
      { conversationId: conversation.id, transferId, fromAgentId: user.id, toAgentId: colleague.id, expiresAt, force: input.force },
      at.getTime(),
    );
    if (!started.ok) throw refused(started.refusal);
    let row: TransferModel;
    try {
      row = await Transfer.create({
        id: transferId,
        conversationId: conversation.id,
        clientId: input.clientId,
        kind: 'agent',
        status: 'pending',
        fromAgentId: user.id,
        toAgentId: colleague.id,
        fromDepartmentId: conversation.departmentId,
        toDepartmentId: null,
        requestedBy: user.id,
        note: input.note,
        forced: input.force,
        expiresAt: new Date(expiresAt),
        createdAt: at,
      });
    } catch (error) {
      await engine.store.dropTransfer(conversation.id, transferId).catch((e: unknown) => log.error({ err: e, transferId }, 'could not release the held slot of a transfer that was not stored'));
      throw error;
    }
    const notice = await messages.system(conversation.id, conversation.language, 'system.transferPending', { agent: user.name });
    await events.record(conversation.id, 'transfer_requested', { type: 'agent', id: user.id }, { transferId, kind: 'agent', toAgentId: colleague.id, toAgentName: colleague.name, forced: input.force });
    const transfer = await views.transfer(row);
    log.info({ transferId, conversationId: conversation.id, fromAgentId: user.id, toAgentId: colleague.id }, 'warm transfer requested');
    return {
      transfer,
      conversation: await conversationViews.agentView(conversation),
      deliver: async () => {
        pushes.follow(colleague.id, conversation.id);
        pushes.transferUpdated(transfer, socketId);
        notifier.message(conversation.visitorId, notice);
        await engine.publishAgent(colleague.id);
      },
    };
  }

  async function pendingFor(transferId: string, may: (row: TransferModel) => boolean): Promise<TransferModel> {
    const row = await Transfer.findByPk(transferId);
    if (!row || row.kind !== 'agent' || !may(row)) throw new NotFoundError('No such transfer.');
    if (row.status !== 'pending') throw new ConflictError(`The transfer is ${row.status}.`);
    return row;
  }

  async function accept(user: AgentUser, transferId: string, socketId: string): Promise<WithDelivery<{ detail: ConversationDetail }>> {
    const row = await pendingFor(transferId, (r) => r.toAgentId === user.id);
    const moved = await engine.store.completeTransfer(row.conversationId, row.id, nowMs());
    if (!moved) throw new ConflictError('The transfer is no longer pending.');
    const fromAgentId = moved.previous.agentId!;
    let changed: number;
    try {
      [changed] = await Conversation.update({ assignedAgentId: user.id }, { where: { id: row.conversationId, status: 'active' } });
    } catch (error) {
      // The store must not say "colleague" while the database says "requester": put it back.
      await engine.store.assign(requestOfRoute(moved.previous), fromAgentId, nowMs()).catch((e: unknown) => log.error({ err: e }, 'could not undo a transfer'));
      throw error;
    }
    // The visitor ended the chat while it moved: closing releases the slot, the timer the transfer.
    if (changed !== 1) throw new ConflictError('The visitor has left.');
    // The store decided; whatever the row says by now (a timer's guess), it was accepted.
    await Transfer.update({ status: 'accepted', cancelCause: null, resolvedAt: deps.now() }, { where: { id: row.id } });
    await row.reload();
    const conversation = (await Conversation.findByPk(row.conversationId))!;
    const joined = await messages.system(conversation.id, conversation.language, 'system.agentJoined', { agent: user.name });
    await events.record(conversation.id, 'transfer_accepted', { type: 'agent', id: user.id }, { transferId: row.id, fromAgentId });
    const view = await conversationViews.agentView(conversation);
    const transfer = await views.transfer(row);
    log.info({ transferId: row.id, conversationId: conversation.id, fromAgentId, toAgentId: user.id }, 'warm transfer accepted');
    return {
      detail: await chat.agent.detail(conversation, view),
      deliver: async () => {
        pushes.follow(user.id, conversation.id);
        notifier.conversationAssigned(user.id, view, socketId);
        notifier.conversationUpdatedForAgents(view, socketId);
        notifier.conversationUpdatedForVisitor(conversation.visitorId, conversation.toPublic(user.name));
        notifier.message(conversation.visitorId, joined);
        notifier.leaveConversation(fromAgentId, conversation.id);
        pushes.transferUpdated(transfer, socketId);
        await engine.publishAgent(fromAgentId);
        await engine.publishAgent(user.id);
        engine.kick();
      },
    };
  }

  async function decline(user: AgentUser, transferId: string, message: string | undefined): Promise<WithDelivery<{ transfer: Transfer }>> {
    const row = await pendingFor(transferId, (r) => r.toAgentId === user.id);
    if (!(await engine.store.dropTransfer(row.conversationId, row.id))) throw new ConflictError('The transfer is no longer pending.');
    const deliver = await outcomes.end(row, { status: 'declined', declineMessage: message || null }, { type: 'agent', id: user.id });
    return { transfer: await views.transfer(row), deliver: deliver ?? noDelivery };
  }

  async function cancel(user: AgentUser, transferId: string): Promise<WithDelivery<{ transfer: Transfer }>> {
    const row = await pendingFor(transferId, (r) => r.fromAgentId === user.id || hasRole(user.role, 'supervisor'));
    if (!(await engine.store.dropTransfer(row.conversationId, row.id))) throw new ConflictError('The transfer is no longer pending.');
    const deliver = await outcomes.end(row, { status: 'cancelled', cancelCause: 'withdrawn' }, { type: 'agent', id: user.id });
    return { transfer: await views.transfer(row), deliver: deliver ?? noDelivery };
  }

  // A transfer the store no longer holds, while its row still says pending, either has an answer
  // on its way to the database (give it a moment) or was dropped with its chat: report that.
  const settleMs = Math.max(1000, 4 * options.tickMs);
  const missingSince = new Map<string, number>();

  async function reconcile(now: number): Promise<void> {
    const pending = await Transfer.findAll({ where: { status: 'pending', kind: 'agent' } });
    for (const id of missingSince.keys()) if (!pending.some((r) => r.id === id)) missingSince.delete(id);
    for (const row of pending) {
      const conversation = await Conversation.findByPk(row.conversationId, { attributes: ['id', 'status'] });
      let cause: TransferCancelCause;
      if (!conversation || conversation.status === 'closed') {
        cause = 'conversation_closed';
      } else {
        const route = await engine.store.route(row.conversationId);
        if (route?.transfer?.transferId === row.id) {
          missingSince.delete(row.id);
          continue;
        }
        if (route?.state === 'assigned' && route.agentId === row.toAgentId) continue; // accepted, being stored
        const since = missingSince.get(row.id);
        if (since === undefined) missingSince.set(row.id, now);
        if (since === undefined || now - since < settleMs) continue;
        cause = route?.state === 'assigned' && route.agentId === row.fromAgentId ? 'colleague_unavailable' : 'conversation_moved';
      }
      missingSince.delete(row.id);
      await (await outcomes.end(row, { status: 'cancelled', cancelCause: cause }, system))?.();
    }
  }

  async function tick(): Promise<void> {
    const now = nowMs();
    for (const { transfer } of await engine.store.expireTransfers(now)) {
      const row = await Transfer.findByPk(transfer.transferId);
      if (row) await (await outcomes.end(row, { status: 'expired' }, system))?.();
    }
    await reconcile(now);
  }

  return { ask, accept, decline, cancel, tick };
}

export type WarmTransfers = ReturnType<typeof createWarmTransfers>;
