import type { TranscriptHook } from '../chat/chatService.js';
import { uiLanguageOf } from '../conversations/messageStore.js';
import type { ConversationViews } from '../conversations/views.js';
import type { Database } from '../db/database.js';
import type { ConversationModel } from '../db/models/index.js';
import { RefusedError, ValidationError } from '../errors/errors.js';
import type { Logger } from '../log/logger.js';
import { mailboxOf, type MailGate } from './gate.js';
import type { Outbox } from './outbox.js';
import { transcriptMail } from './templates.js';

/**
 * The transcript a visitor asks for: sent at once for an ended chat, else when it ends. The
 * visitor's view of the thread only (no internal notes).
 *
 * Not a way to mail strangers (docs/tickets.md, "E-mail"): a chat's transcript goes to one address
 * only — the one the visitor gave before the chat (pre-chat form) or, without one, the first one
 * asked for — and at most once per chat; it takes a point of the mail budgets (mail/gate.ts), and
 * when a budget or missing SMTP settings stop it, the visitor is told no mail is coming.
 */
export function createTranscripts(deps: { db: Database; views: ConversationViews; outbox: Outbox; gate: MailGate; log: Logger; now: () => Date }): TranscriptHook {
  const { db, views, outbox, gate, log, now } = deps;

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
    await outbox.enqueue(null, { kind: 'transcript', dedupeKey: `transcript:${conversation.id}`, to, ...mail, conversationId: conversation.id });
    await conversation.update({ transcriptSentAt: now() });
    outbox.kick();
  }

  const pending = (c: ConversationModel) => c.transcriptEmail && c.transcriptRequestedAt && (!c.transcriptSentAt || c.transcriptSentAt < c.transcriptRequestedAt);

  return {
    async request(conversation, asked, origin) {
      const known = (await db.models.Visitor.findByPk(origin.visitorId, { attributes: ['email'] }))?.email ?? null;
      const already = conversation.transcriptEmail;
      const to = already ?? known ?? asked;
      if (!to) throw new ValidationError([{ path: 'email', message: 'an e-mail address is needed to send the transcript' }]);
      if (asked && mailboxOf(asked) !== mailboxOf(to)) throw new RefusedError('transcript_address', 'The transcript of this chat can only go to the address given for it.');
      // Asked before: the same answer, no second mail.
      if (already) return { email: already, mailQueued: true, first: false };
      if (!outbox.enabled) {
        log.warn({ conversationId: conversation.id }, 'transcript requested but mail is not configured: it cannot be sent');
        return { email: to, mailQueued: false, first: false };
      }
      // Claimed with a conditional update, so two requests at once give one mail.
      const at = now();
      const [claimed] = await db.models.Conversation.update(
        { transcriptEmail: to, transcriptRequestedAt: at },
        { where: { id: conversation.id, transcriptEmail: null } },
      );
      if (claimed !== 1) return { email: (await conversation.reload()).transcriptEmail ?? to, mailQueued: true, first: false };
      if (!(await gate.allow(to, origin))) {
        await db.models.Conversation.update({ transcriptEmail: null, transcriptRequestedAt: null }, { where: { id: conversation.id } });
        return { email: to, mailQueued: false, first: false };
      }
      await conversation.reload();
      if (conversation.status === 'closed') await send(conversation);
      return { email: to, mailQueued: true, first: true };
    },
    async closed(conversationId) {
      const conversation = await db.models.Conversation.findByPk(conversationId);
      if (conversation && pending(conversation)) await send(conversation);
    },
  };
}
