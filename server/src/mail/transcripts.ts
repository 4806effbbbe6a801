import type { TranscriptHook } from '../chat/chatService.js';
import { uiLanguageOf } from '../chat/messageStore.js';
import type { ConversationViews } from '../conversations/views.js';
import type { Database } from '../db/database.js';
import type { ConversationModel } from '../db/models/index.js';
import type { Logger } from '../log/logger.js';
import type { Outbox } from './outbox.js';
import { transcriptMail } from './templates.js';

/**
 * The transcript a visitor asks for: sent at once for an ended chat, else when it ends. The
 * visitor's view of the thread only (no internal notes).
 */
export function createTranscripts(deps: { db: Database; views: ConversationViews; outbox: Outbox; log: Logger; now: () => Date }): TranscriptHook {
  const { db, views, outbox, log, now } = deps;

  async function send(conversation: ConversationModel): Promise<void> {
    const to = conversation.transcriptEmail;
    const requestedAt = conversation.transcriptRequestedAt;
    if (!to || !requestedAt) return;
    const visitor = await db.models.Visitor.findByPk(conversation.visitorId, { attributes: ['name'] });
    const messages = await views.messages(conversation.id, { withNotes: false, last: 500 });
    const lang = uiLanguageOf(conversation.language);
    const mail = transcriptMail({
      lang,
      name: visitor?.name ?? null,
      startedAt: conversation.createdAt,
      lines: messages.map((m) => ({ who: m.senderType, name: m.senderName, at: new Date(m.createdAt), body: m.body || m.attachment?.name || '' })),
    });
    await outbox.enqueue(null, { kind: 'transcript', dedupeKey: `transcript:${conversation.id}:${requestedAt.getTime()}`, to, ...mail, conversationId: conversation.id });
    await conversation.update({ transcriptSentAt: now() });
    outbox.kick();
  }

  const pending = (c: ConversationModel) => c.transcriptEmail && c.transcriptRequestedAt && (!c.transcriptSentAt || c.transcriptSentAt < c.transcriptRequestedAt);

  return {
    async requested(conversationId) {
      const conversation = await db.models.Conversation.findByPk(conversationId);
      if (!conversation) return;
      if (!outbox.enabled) log.warn({ conversationId }, 'transcript requested but mail is not configured: it cannot be sent');
      else if (conversation.status === 'closed') await send(conversation);
    },
    async closed(conversationId) {
      const conversation = await db.models.Conversation.findByPk(conversationId);
      if (conversation && pending(conversation)) await send(conversation);
    },
  };
}
