import { randomUUID } from 'node:crypto';
import express, { Router } from 'express';
import { ok } from '../../../shared/ack.js';
import { VOICEMAIL_MAX_BYTES, voicemailQuerySchema } from '../../../shared/schemas/voice.js';
import type { AttachmentStore } from '../attachments/attachmentStore.js';
import type { Database } from '../db/database.js';
import { UnauthenticatedError, ValidationError } from '../errors/errors.js';
import { parseInput } from '../errors/parseInput.js';
import type { Logger } from '../log/logger.js';
import type { Tickets } from '../tickets/tickets.js';
import type { Visitors } from '../visitors/visitors.js';

const EXTENSIONS: Record<string, string> = { 'audio/webm': 'webm', 'audio/ogg': 'ogg', 'audio/mp4': 'm4a' };

export interface VoicemailDeps {
  db: Database;
  files: AttachmentStore;
  tickets: Tickets['voicemail'];
  visitors: Visitors;
  log: Logger;
}

/**
 * POST /api/visitor/voicemail: a recording from the widget becomes a ticket (kind voicemail) with
 * the recording in its thread. The ticket is made first, then the recording joins it; a retry
 * with the same client id finds both (docs/api.md).
 */
export function voicemailRoutes(deps: VoicemailDeps): Router {
  const router = Router();
  router.post('/visitor/voicemail', express.raw({ type: () => true, limit: VOICEMAIL_MAX_BYTES }), async (req, res) => {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const visitorId = bearer ? await deps.visitors.authenticate(bearer) : null;
    if (!visitorId) throw new UnauthenticatedError();
    const query = parseInput(voicemailQuerySchema, req.query);
    const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (bytes.length === 0) throw new ValidationError([{ path: 'body', message: 'the recording is empty' }]);
    const mime = await deps.files.detectAudio(bytes);
    if (!mime) throw new ValidationError([{ path: 'body', message: 'expected an audio recording (WebM or Ogg with Opus, or MP4)' }]);

    // Voicemails and their bytes per visitor, address and day (docs/limits.md); a retry is not charged.
    const refund = await deps.tickets.charge(visitorId, req.ip ?? 'unknown', bytes.length, query.clientId);
    const created = await deps.tickets.ticket(visitorId, query, '', req.ip ?? null).catch(async (error: unknown) => {
      await refund();
      throw error;
    });
    if (created.duplicate) await refund();
    const audioClientId = `${query.clientId}-vm`;
    const name = `voicemail-${Math.floor(query.durationSeconds / 60)}m${String(query.durationSeconds % 60).padStart(2, '0')}s.${EXTENSIONS[mime]}`;
    const { Attachment, Message } = deps.db.models;
    const conversationId = created.ticket.conversationId;
    const stored = await Message.findOne({ where: { conversationId, clientId: audioClientId } });
    let attachmentId = stored?.attachmentId ?? null;
    if (!attachmentId) {
      const storageKey = await deps.files.save(bytes);
      attachmentId = randomUUID();
      await Attachment.create({ id: attachmentId, conversationId, name, mime, size: bytes.length, storageKey, uploaderType: 'visitor', uploaderId: visitorId });
    }
    const attached = await deps.tickets.attach(visitorId, created.ticket.id, audioClientId, name, attachmentId);
    deps.log.info({ visitorId, ticketId: created.ticket.id, seconds: query.durationSeconds, bytes: bytes.length, duplicate: created.duplicate }, 'voicemail left');
    const { deliver, ...ticket } = created;
    res.status(created.duplicate ? 200 : 201).json(ok(ticket));
    await deliver();
    await attached.deliver();
  });
  return router;
}
