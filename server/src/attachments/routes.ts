import { randomUUID } from 'node:crypto';
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { ok } from '../../../shared/ack.js';
import { clientIdSchema, uuidSchema } from '../../../shared/schemas/common.js';
import { sessionCookieFrom } from '../auth/middleware.js';
import type { Sessions } from '../auth/sessions.js';
import type { ChatService } from '../chat/chatService.js';
import type { MessageStore } from '../conversations/messageStore.js';
import type { Database } from '../db/database.js';
import type { ConversationModel } from '../db/models/index.js';
import { ConflictError, NotFoundError, UnauthenticatedError, ValidationError } from '../errors/errors.js';
import { parseInput } from '../errors/parseInput.js';
import type { Logger } from '../log/logger.js';
import type { Notifier } from '../routing/notifier.js';
import type { Refund } from '../visitors/quotas.js';
import type { Visitors } from '../visitors/visitors.js';
import type { AttachmentStore } from './attachmentStore.js';

const filenameSchema = z
  .string()
  .transform((s, ctx) => {
    try {
      return decodeURIComponent(s);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'X-Filename must be URI-encoded' });
      return z.NEVER;
    }
  })
  .pipe(z.string().trim().min(1).max(255).regex(/^[^\\/\0]+$/, 'a file name without slashes'));

type Uploader = { type: 'visitor'; visitorId: string } | { type: 'agent'; user: { id: number; name: string; role: 'agent' | 'supervisor' | 'admin' } };

export interface AttachmentRouteDeps {
  db: Database;
  files: AttachmentStore;
  chat: ChatService;
  messages: MessageStore;
  notifier: Notifier;
  sessions: Sessions;
  visitors: Visitors;
  maxBytes: number;
  /**
   * Visitors' byte budgets (visitors/quotas.ts): per conversation, visitor, address and day. Taken
   * before a byte is stored; given back when the upload fails or turns out a retry.
   */
  quota(conversationId: string, visitorId: string, address: string, bytes: number): Promise<Refund>;
  /** Ticket threads: agents who may work the ticket read its files too (a voicemail). */
  ticketThreadReadable(user: { id: number; name: string; role: 'agent' | 'supervisor' | 'admin' }, conversationId: string): Promise<boolean>;
  log: Logger;
}

/**
 * Attachments go through REST (binary bodies do not belong on the socket). Visitors authenticate
 * with their token as a Bearer header, agents with the session cookie; either way only the
 * conversation's participants may upload or download.
 */
export function attachmentRoutes(deps: AttachmentRouteDeps): Router {
  const { db, files, chat } = deps;
  const router = Router();

  async function who(req: Request): Promise<Uploader> {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (bearer) {
      const visitorId = await deps.visitors.authenticate(bearer);
      if (visitorId) return { type: 'visitor', visitorId };
      throw new UnauthenticatedError();
    }
    const resolved = await deps.sessions.resolve(sessionCookieFrom(req.headers.cookie));
    if (!resolved) throw new UnauthenticatedError();
    return { type: 'agent', user: { id: resolved.user.id, name: resolved.user.name, role: resolved.user.role } };
  }

  const conversationFor = (uploader: Uploader, conversationId: string): Promise<ConversationModel> =>
    uploader.type === 'visitor' ? chat.visitorConversation(uploader.visitorId, conversationId) : chat.agentConversation(uploader.user, conversationId, 'read');

  /** What the checks before the body found, for the handler after it. */
  type Upload = { uploader: Uploader; conversationId: string; clientId: string; name: string; conversation: ConversationModel; refund: Refund | null };
  const uploads = new WeakMap<Request, Upload>();
  const chargeVisitor = (upload: Upload, req: Request, bytes: number) =>
    upload.uploader.type === 'visitor' ? deps.quota(upload.conversationId, upload.uploader.visitorId, req.ip ?? 'unknown', bytes) : Promise.resolve(null);

  // Who, where and how much are settled from the headers, before a byte of the body is read: a
  // visitor over budget is refused (RATE_LIMITED) without the file being taken in.
  const admit: RequestHandler = async (req, _res, next) => {
    const uploader = await who(req);
    const conversationId = parseInput(uuidSchema, req.params.conversationId);
    const clientId = parseInput(clientIdSchema, req.headers['x-client-id']);
    const name = parseInput(filenameSchema, req.headers['x-filename']);
    const conversation = await conversationFor(uploader, conversationId);
    if (conversation.status === 'closed') throw new ConflictError('The conversation is closed.');
    if (uploader.type === 'agent' && conversation.assignedAgentId !== uploader.user.id) {
      throw new ConflictError('Only the agent serving this chat can send files in it.');
    }
    const upload: Upload = { uploader, conversationId, clientId, name, conversation, refund: null };
    const declared = Number(req.headers['content-length']);
    // Past maxBytes the body reader refuses it (413) anyway; without a length it is charged once read.
    if (Number.isSafeInteger(declared) && declared > 0 && declared <= deps.maxBytes) upload.refund = await chargeVisitor(upload, req, declared);
    uploads.set(req, upload);
    next();
  };

  const raw = express.raw({ type: () => true, limit: deps.maxBytes });
  const readBody: RequestHandler = (req, res, next) =>
    raw(req, res, (error?: unknown) => {
      if (!error) return next();
      // Too large, cut off, or not the length it declared: nothing is stored, the budget comes back.
      void (uploads.get(req)?.refund?.() ?? Promise.resolve()).finally(() => next(error));
    });

  router.post('/conversations/:conversationId/attachments', admit, readBody, async (req, res) => {
    const upload = uploads.get(req)!;
    try {
      await store(req, res, upload);
    } catch (error) {
      await upload.refund?.();
      throw error;
    }
  });

  async function store(req: Request, res: Response, upload: Upload): Promise<void> {
    const { uploader, conversationId, clientId, name, conversation } = upload;
    const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (bytes.length === 0) throw new ValidationError([{ path: 'body', message: 'the file is empty' }]);
    upload.refund ??= await chargeVisitor(upload, req, bytes.length);
    const mime = await files.detect(bytes);
    if (!mime) throw new ValidationError([{ path: 'body', message: 'only PNG, JPEG, GIF, WebP images and PDF files are allowed' }]);

    const existing = await db.models.Message.findOne({ where: { conversationId, clientId } });
    // A retry of a stored file stores nothing new: its bytes are not counted twice.
    if (existing) await upload.refund?.();
    let attachmentId: string | null = existing?.attachmentId ?? null;
    let storageKey: string | null = null;
    if (!existing) {
      storageKey = await files.save(bytes);
      attachmentId = randomUUID();
      await db.models.Attachment.create({
        id: attachmentId,
        conversationId,
        name,
        mime,
        size: bytes.length,
        storageKey,
        uploaderType: uploader.type,
        uploaderId: uploader.type === 'visitor' ? uploader.visitorId : String(uploader.user.id),
      });
    }
    const sender =
      uploader.type === 'visitor'
        ? { senderType: 'visitor' as const, senderId: uploader.visitorId, senderName: (await db.models.Visitor.findByPk(uploader.visitorId))?.name ?? null }
        : { senderType: 'agent' as const, senderId: String(uploader.user.id), senderName: uploader.user.name };
    const result = await deps.messages.storeOnce({ conversationId, ...sender, clientId, body: name, internal: false, attachmentId });
    res.status(result.duplicate ? 200 : 201).json(ok(result));
    if (!result.duplicate) deps.notifier.message(conversation.visitorId, result.message);
    else if (storageKey) {
      await files.remove(storageKey);
      await upload.refund?.();
    }
  }

  router.get('/attachments/:id', async (req, res) => {
    const uploader = await who(req);
    const attachment = await db.models.Attachment.findByPk(parseInput(uuidSchema, req.params.id));
    if (!attachment) throw new NotFoundError();
    await conversationFor(uploader, attachment.conversationId).catch(async () => {
      if (uploader.type === 'agent' && (await deps.ticketThreadReadable(uploader.user, attachment.conversationId))) return;
      throw new NotFoundError();
    });
    res.setHeader('Content-Type', attachment.mime);
    res.setHeader('Content-Length', String(attachment.size));
    res.setHeader('Cache-Control', 'private, max-age=3600');
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    // Images and recordings play in place (an <img>, an <audio> in the console); documents download.
    const disposition = attachment.mime.startsWith('image/') || attachment.mime.startsWith('audio/') ? 'inline' : 'attachment';
    res.setHeader('Content-Disposition', `${disposition}; filename*=UTF-8''${encodeURIComponent(attachment.name)}`);
    const stream = files.open(attachment.storageKey);
    stream.on('error', (error) => {
      deps.log.error({ err: error, attachmentId: attachment.id }, 'attachment file unreadable');
      res.destroy(error);
    });
    stream.pipe(res);
  });

  return router;
}
