import { RateLimitedError } from '../errors/errors.js';
import type { Limit, MakeLimit } from '../limits/limits.js';
import type { Logger } from '../log/logger.js';
import type { VisitorQuotaSettings } from '../config/config.js';

/** Gives back what a successful `take` took (the request turned out a retry, or failed after all). */
export type Refund = () => Promise<void>;

/** One budget to take from: the limit, whose share (key) and how much. */
export type Charge = [limit: Limit, key: string, points: number];

/** The key of installation-wide budgets: one bucket for everybody. */
export const EVERYONE = 'all';

const TEN_MINUTES = 600;
const HOUR = 3600;
const DAY = 86_400;

/**
 * Takes every charge or none: when a budget refuses (RateLimitedError), it and those taken before
 * it are given back, so a refusal by one key never eats another key's budget. Charges are ordered
 * narrowest first (visitor, address, then installation), so one noisy client is refused before
 * it can touch the installation's budget.
 */
export async function takeAll(charges: Charge[], log: Logger): Promise<Refund> {
  const taken: Charge[] = [];
  const refund: Refund = async () => {
    for (const [limit, key, points] of taken.splice(0)) {
      await limit.refund(key, points).catch((error: unknown) => log.error({ err: error, limit: limit.name }, 'giving back a quota failed'));
    }
  };
  for (const charge of charges) {
    const [limit, key, points] = charge;
    if (points <= 0) continue;
    try {
      await limit.consume(key, points);
    } catch (error) {
      // rate-limiter-flexible counts a refused request too: give its points back, so a file too
      // big for what is left does not also use up the rest of the budget.
      if (error instanceof RateLimitedError) taken.push(charge);
      await refund();
      throw error;
    }
    taken.push(charge);
  }
  return refund;
}

/**
 * Every quota on what anonymous visitors create — sessions, chats, tickets, attachment and
 * voicemail bytes, mails — made with `makeLimit` (memory on one node, Redis in a cluster, so they
 * hold across nodes). Refusals are RATE_LIMITED with retryAfterSeconds, counted by name in
 * /metrics (zentrale_limit_refusals_total). Names and defaults: docs/limits.md.
 */
export function createVisitorQuotas(makeLimit: MakeLimit, s: VisitorQuotaSettings, log: Logger) {
  const limit = (name: string, points: number, durationSeconds: number) => makeLimit({ name, points, durationSeconds });
  const sessionsPerAddress = limit('visitor-sessions-per-address', s.sessionsPerAddressPer10Min, TEN_MINUTES);
  const sessions = limit('visitor-sessions', s.sessionsPer10Min, TEN_MINUTES);
  const chatStartsPerAddress = limit('chat-starts-per-address', s.chatStartsPerAddressPer10Min, TEN_MINUTES);
  const chatStarts = limit('chat-starts', s.chatStartsPer10Min, TEN_MINUTES);
  const ticketsPerVisitor = limit('tickets-per-visitor', s.ticketsPerVisitorPerHour, HOUR);
  const ticketsPerAddress = limit('tickets-per-address', s.ticketsPerAddressPerHour, HOUR);
  const tickets = limit('tickets', s.ticketsPerHour, HOUR);
  // A conversation's files: the window only bounds how long the count is kept (chats last minutes).
  const attachmentBytesPerConversation = limit('attachment-bytes-per-conversation', s.attachmentBytesPerConversation, DAY);
  const attachmentBytesPerVisitor = limit('attachment-bytes-per-visitor', s.attachmentBytesPerVisitorPerDay, DAY);
  const attachmentBytesPerAddress = limit('attachment-bytes-per-address', s.attachmentBytesPerAddressPerDay, DAY);
  const attachmentBytes = limit('attachment-bytes', s.attachmentBytesPerDay, DAY);
  const voicemailsPerVisitor = limit('voicemails-per-visitor', s.voicemailsPerVisitorPerHour, HOUR);
  const voicemailsPerAddress = limit('voicemails-per-address', s.voicemailsPerAddressPerHour, HOUR);
  const voicemailBytesPerAddress = limit('voicemail-bytes-per-address', s.voicemailBytesPerAddressPerDay, DAY);
  const voicemailBytes = limit('voicemail-bytes', s.voicemailBytesPerDay, DAY);

  return {
    /** A new visitor (a session without a valid token); resuming a visitor costs nothing. */
    newVisitor: (address: string) =>
      takeAll([[sessionsPerAddress, address, 1], [sessions, EVERYONE, 1]], log),
    /** A new chat (the open-chats cap is counted in the database, see chatQuota.ts). */
    chatStart: (address: string) =>
      takeAll([[chatStartsPerAddress, address, 1], [chatStarts, EVERYONE, 1]], log),
    openChatsPerAddress: s.openChatsPerAddress,
    /** A ticket a visitor makes (leave a message, a callback request, a waiting chat becoming one). */
    ticket: (visitorId: string, address: string) =>
      takeAll([[ticketsPerVisitor, visitorId, 1], [ticketsPerAddress, address, 1], [tickets, EVERYONE, 1]], log),
    /** A visitor's file: its bytes count against the conversation, the visitor, the address and the day. */
    attachment: (conversationId: string, visitorId: string, address: string, bytes: number) =>
      takeAll(
        [
          [attachmentBytesPerConversation, conversationId, bytes],
          [attachmentBytesPerVisitor, visitorId, bytes],
          [attachmentBytesPerAddress, address, bytes],
          [attachmentBytes, EVERYONE, bytes],
        ],
        log,
      ),
    /** A voicemail: one recording of `bytes` bytes. */
    voicemail: (visitorId: string, address: string, bytes: number) =>
      takeAll(
        [
          [voicemailsPerVisitor, visitorId, 1],
          [voicemailsPerAddress, address, 1],
          [voicemailBytesPerAddress, address, bytes],
          [voicemailBytes, EVERYONE, bytes],
        ],
        log,
      ),
    /** Budgets of mails anonymous visitors cause (mail/gate.ts). */
    mail: {
      perRecipient: limit('mails-per-recipient', s.mailsPerRecipientPerDay, DAY),
      perVisitor: limit('mails-per-visitor', s.mailsPerVisitorPerDay, DAY),
      perAddress: limit('mails-per-address', s.mailsPerAddressPerDay, DAY),
      total: limit('mails', s.mailsPerDay, DAY),
    },
  };
}

export type VisitorQuotas = ReturnType<typeof createVisitorQuotas>;
