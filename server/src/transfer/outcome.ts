import type { TransferCancelCause } from '../../../shared/schemas/transfer.js';
import type { EventActor } from '../conversations/eventLog.js';
import type { Deliver } from '../routing/routingEngine.js';
import type { TransferDeps } from './deps.js';
import type { TransferModel } from './models.js';

export type Unanswered =
  | { status: 'declined'; declineMessage: string | null }
  | { status: 'expired' }
  | { status: 'cancelled'; cancelCause: TransferCancelCause };

const eventOf = { declined: 'transfer_declined', expired: 'transfer_expired', cancelled: 'transfer_cancelled' } as const;

/**
 * A pending transfer ends without a handover: the requester keeps the chat and is told why. The
 * store has already let go of it; the row's conditional update makes sure that, of everyone who
 * saw it end (the colleague, the requester, the timer on any node), exactly one reports it.
 */
export function createOutcomes(deps: TransferDeps) {
  const { db, models, messages, notifier, pushes, views, events, engine } = deps;

  async function end(row: TransferModel, outcome: Unanswered, actor: EventActor): Promise<Deliver | null> {
    const [claimed] = await models.Transfer.update(
      {
        status: outcome.status,
        declineMessage: outcome.status === 'declined' ? outcome.declineMessage : null,
        cancelCause: outcome.status === 'cancelled' ? outcome.cancelCause : null,
        resolvedAt: deps.now(),
      },
      { where: { id: row.id, status: 'pending' } },
    );
    if (claimed !== 1) return null;
    await row.reload();
    const conversation = await db.models.Conversation.findByPk(row.conversationId);
    const stillWithRequester = conversation?.status === 'active' && conversation.assignedAgentId === row.fromAgentId;
    const requesterName = row.fromAgentId === null ? null : ((await db.models.User.findByPk(row.fromAgentId, { attributes: ['name'] }))?.name ?? null);
    // The visitor was told a colleague is coming: say who stays with them instead.
    const notice = stillWithRequester && requesterName ? await messages.system(row.conversationId, conversation.language, 'system.transferNotPossible', { agent: requesterName }) : null;
    const transfer = await views.transfer(row);
    await events.record(row.conversationId, eventOf[outcome.status], actor, {
      transferId: row.id,
      toAgentId: row.toAgentId,
      toAgentName: transfer.toAgentName,
      ...(outcome.status === 'declined' && outcome.declineMessage ? { message: outcome.declineMessage } : {}),
      ...(outcome.status === 'cancelled' ? { cause: outcome.cancelCause } : {}),
    });
    deps.log.info({ transferId: row.id, conversationId: row.conversationId, status: outcome.status }, 'transfer ended without handover');
    return async () => {
      if (row.toAgentId !== null && conversation?.assignedAgentId !== row.toAgentId) pushes.unfollow(row.toAgentId, row.conversationId);
      pushes.transferUpdated(transfer);
      if (notice && conversation) notifier.message(conversation.visitorId, notice);
      if (row.toAgentId !== null) await engine.publishAgent(row.toAgentId);
      engine.kick();
    };
  }

  return { end };
}

export type Outcomes = ReturnType<typeof createOutcomes>;
