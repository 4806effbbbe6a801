export { highestId, languageName, mergeMessages } from '../../lib/messages.js';

/**
 * Mirrors MESSAGE_MAX_LENGTH in shared/schemas/chat.ts. Not imported because that module builds
 * zod schemas at load time, and the widget must stay free of zod to keep its size budget.
 * The server validates anyway; this only powers the friendly client-side hint.
 */
export const MESSAGE_MAX_LENGTH = 4000;
export const NAME_MAX_LENGTH = 80;

/** Mirrors the 1-40 characters of customerNumber and ticketNumber in conversationStartSchema. */
export const REFERENCE_MAX_LENGTH = 40;

