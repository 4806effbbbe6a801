import type { TransferRefusal } from '../../../shared/schemas/transfer.js';
import type { ChatService } from '../chat/chatService.js';
import type { MessageStore } from '../conversations/messageStore.js';
import type { EventLog } from '../conversations/eventLog.js';
import type { ConversationViews } from '../conversations/views.js';
import type { Database } from '../db/database.js';
import { RefusedError } from '../errors/errors.js';
import type { Logger } from '../log/logger.js';
import type { Notifier } from '../routing/notifier.js';
import type { RoutingEngine } from '../routing/routingEngine.js';
import type { TransferModels } from './models.js';
import type { TransferPushes } from './pushes.js';
import type { TransferViews } from './views.js';

export interface TransferOptions {
  /** How long a colleague has to answer a warm transfer. */
  timeoutMs: number;
  /** After a cold transfer the previous agent is not offered the chat again for this long. */
  reofferAfterMs: number;
  /** How often deadlines and dropped transfers are checked. */
  tickMs: number;
}

/**
 * Where a cold-transferred chat goes when nobody in the target department can take it. The
 * offline fallback (tickets, callbacks) is a later issue; until then the chat waits in the queue.
 */
export interface UnservedHook {
  nobodyAvailable(conversationId: string, departmentId: number): Promise<void>;
}

export interface TransferDeps {
  db: Database;
  models: TransferModels;
  engine: RoutingEngine;
  chat: ChatService;
  messages: MessageStore;
  conversationViews: ConversationViews;
  notifier: Notifier;
  pushes: TransferPushes;
  views: TransferViews;
  events: EventLog;
  unserved: UnservedHook;
  log: Logger;
  now: () => Date;
  options: TransferOptions;
}

const refusalMessages: Record<TransferRefusal, string> = {
  offline: 'That colleague is offline.',
  away: 'That colleague is away.',
  not_connected: 'That colleague has no console open right now.',
  at_capacity: 'That colleague has no free slot; a supervisor may force the transfer.',
  same_agent: 'The conversation is already with that agent.',
  same_department: 'The conversation is already in that department.',
  pending: 'A transfer of this conversation is already waiting for an answer.',
  not_assigned: 'Only the agent serving this conversation can transfer it.',
  on_call: 'That colleague is already on a call.',
};

export const refused = (reason: TransferRefusal): RefusedError<TransferRefusal> => new RefusedError(reason, refusalMessages[reason]);

/**
 * The note of a cold transfer or reassignment: an internal note on the conversation, so whoever
 * takes the chat reads it where the chat is. Its client id makes a retried transfer store it once.
 */
export function storeHandoverNote(messages: MessageStore, conversationId: string, author: { id: number; name: string }, transferId: string, note: string) {
  return messages.storeOnce({
    conversationId,
    senderType: 'agent',
    senderId: String(author.id),
    senderName: author.name,
    clientId: `transfer-${transferId}`,
    body: note,
    internal: true,
    attachmentId: null,
  });
}
