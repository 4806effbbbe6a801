import type { TicketSource } from '../../../shared/schemas/tickets.js';
import type { TranscriptHook } from '../chat/chatService.js';
import type { MessageStore } from '../conversations/messageStore.js';
import type { EventLog } from '../conversations/eventLog.js';
import type { ConversationViews } from '../conversations/views.js';
import type { Database } from '../db/database.js';
import type { SqlRunner } from '../db/sqlRunner.js';
import type { Logger } from '../log/logger.js';
import type { MailGate } from '../mail/gate.js';
import type { Outbox } from '../mail/outbox.js';
import type { Notifier } from '../routing/notifier.js';
import type { RoutingEngine } from '../routing/routingEngine.js';
import type { TicketModels } from './models.js';
import type { TicketPushes } from './pushes.js';
import type { Substitution } from './substitution.js';
import type { Tracking } from './tracking.js';
import type { TicketViews } from './views.js';

export interface TicketOptions {
  numberPrefix: string;
  linkTtlDays: number;
  slaWarnPercent: number;
}

export interface TicketDeps {
  db: Database;
  sql: SqlRunner;
  models: TicketModels;
  engine: RoutingEngine;
  messages: MessageStore;
  conversationViews: ConversationViews;
  notifier: Notifier;
  pushes: TicketPushes;
  views: TicketViews;
  substitution: Substitution;
  tracking: Tracking;
  events: EventLog;
  outbox: Outbox;
  /** The budgets of mails anonymous visitors cause (ticket confirmations). */
  mailGate: MailGate;
  transcripts: TranscriptHook;
  log: Logger;
  now: () => Date;
  options: TicketOptions;
}

/** Machine-readable reasons of ticket CONFLICTs (error.reason), for clients to explain: thrown as `RefusedError<TicketConflict>`. */
export type TicketConflict = 'being_served' | 'open_conversation' | 'not_waiting' | 'ticket_closed' | 'not_a_callback';

export const systemLineFor = (source: TicketSource) =>
  source === 'department_closed'
    ? 'system.ticketCreatedClosed'
    : source === 'nobody_online' || source === 'agents_offline'
      ? 'system.ticketCreatedNobodyOnline'
      : source === 'callback_request'
        ? 'system.callbackCreated'
        : 'system.ticketCreated';

