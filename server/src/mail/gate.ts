import { RateLimitedError } from '../errors/errors.js';
import type { Limit } from '../limits/limits.js';
import type { Logger } from '../log/logger.js';
import { EVERYONE, takeAll, type Charge } from '../visitors/quotas.js';

/** Who caused a mail: the visitor, and the address they came from when known (null: a timer did it). */
export interface MailOrigin {
  visitorId: string;
  address: string | null;
}

export interface MailGate {
  /**
   * A mail an anonymous visitor causes (a ticket confirmation, a transcript) to `recipient`: true
   * when it may be queued (its budgets are taken), false when a budget is used up — then nothing is
   * queued and the visitor is told so (mailQueued: false). Agents' replies do not pass here.
   */
  allow(recipient: string, origin: MailOrigin): Promise<boolean>;
}

/**
 * The mailbox behind an address, so "name+1@…" and "Name+2@…" share one budget: lower case,
 * without a "+tag" in the local part.
 */
export const mailboxOf = (address: string): string => {
  const lower = address.trim().toLowerCase();
  const at = lower.lastIndexOf('@');
  if (at < 1) return lower;
  return `${lower.slice(0, at).split('+')[0]}${lower.slice(at)}`;
};

/**
 * zentrale must not be a way to mail strangers: every mail an anonymous visitor causes takes one
 * point from the recipient's, the visitor's, the address's and the installation's daily budget
 * (docs/limits.md). A refusal is logged and counted in /metrics like any limit, and the caller
 * answers honestly that no mail was queued. When the limit store cannot answer, no mail is sent.
 */
export function createMailGate(limits: { perRecipient: Limit; perVisitor: Limit; perAddress: Limit; total: Limit }, log: Logger): MailGate {
  return {
    async allow(recipient, origin) {
      const charges: Charge[] = [
        [limits.perRecipient, mailboxOf(recipient), 1],
        [limits.perVisitor, origin.visitorId, 1],
        ...(origin.address ? [[limits.perAddress, origin.address, 1] as Charge] : []),
        [limits.total, EVERYONE, 1],
      ];
      try {
        await takeAll(charges, log);
        return true;
      } catch (error) {
        if (error instanceof RateLimitedError) log.warn({ visitorId: origin.visitorId, address: origin.address }, 'mail not queued: a mail budget is used up');
        else log.error({ err: error, visitorId: origin.visitorId }, 'mail not queued: the mail budgets could not be checked');
        return false;
      }
    },
  };
}
