import type { Message } from '../../../shared/schemas/chat.js';
import type { VisitorTicket } from '../../../shared/schemas/tickets.js';
import { ConflictError, RefusedError } from '../errors/errors.js';
import type { Deliver } from '../routing/routingEngine.js';
import type { TicketConflict, TicketDeps } from './deps.js';
import type { TicketModel } from './models.js';
import { statusChanges } from './status.js';

const SEARCH_TEXT_MAX = 16_000;

/**
 * The visitor adds to their ticket (widget or tracking page): the comment joins the thread, the
 * ticket is unanswered again, and a pending or solved ticket reopens. A closed one takes no more.
 */
export function createComments(deps: TicketDeps) {
  const { messages, models, pushes, views, log } = deps;

  /** `attachmentId`: the comment carries a file (a voicemail's recording); `text` is then its name. */
  async function comment(t: TicketModel, clientId: string, text: string, exceptSocket?: string, attachmentId: string | null = null): Promise<{ message: Message; duplicate: boolean; ticket: VisitorTicket; deliver: Deliver }> {
    if (t.status === 'closed') throw new RefusedError<TicketConflict>('ticket_closed', 'This ticket is closed.');
    const result = await messages.storeOnce({
      conversationId: t.conversationId,
      senderType: 'visitor',
      senderId: t.visitorId,
      senderName: t.name,
      clientId,
      body: text,
      internal: false,
      attachmentId,
    });
    // A client id already used by someone else in this thread must not hand out their message.
    if (result.message.internal || result.message.senderType !== 'visitor') throw new ConflictError('This client id is already used.');
    if (result.duplicate) return { message: result.message, duplicate: true, ticket: views.visitorView(t), deliver: async () => undefined };
    const at = deps.now();
    const reopen = t.status === 'pending' || t.status === 'solved' ? statusChanges(t, 'open', at) : {};
    await t.update({ ...reopen, unanswered: true, lastActivityAt: at, updatedAt: at, searchText: `${t.searchText}\n${text}`.slice(0, SEARCH_TEXT_MAX) });
    await models.TicketEvent.create({ ticketId: t.id, type: 'commented', actorType: 'visitor', actorId: t.visitorId, data: JSON.stringify({ messageId: result.message.id }), createdAt: at });
    log.info({ ticketId: t.id, messageId: result.message.id }, 'visitor commented on a ticket');
    const visitorView = views.visitorView(t);
    const agentView = await views.agentView(t);
    return {
      message: result.message,
      duplicate: false,
      ticket: visitorView,
      deliver: async () => {
        pushes.visitorMessage(t.visitorId, t.id, result.message, exceptSocket);
        if (reopen.status) pushes.visitorUpdated(t.visitorId, visitorView);
        pushes.message(agentView, result.message);
        pushes.updated(agentView);
      },
    };
  }

  return { comment };
}

export type Comments = ReturnType<typeof createComments>;
