import type { ConversationEventType } from '../../../shared/schemas/timeline.js';
import { createGroupInsert } from '../db/groupInsert.js';
import type { SqlRunner } from '../db/sqlRunner.js';
import type { Logger } from '../log/logger.js';

export type { ConversationEventType };

export interface EventActor {
  type: 'visitor' | 'agent' | 'system';
  id: string | number | null;
}

/** The conversation timeline: every routing and lifecycle step, stored for the console and the API. */
export interface EventLog {
  record(conversationId: string, type: ConversationEventType, actor: EventActor, data?: Record<string, unknown>): Promise<void>;
}

/**
 * Events are written by group commit: a burst of routing steps (a thousand chats offered and
 * accepted within a second) costs a few multi-row INSERTs instead of one transaction per step.
 */
export function createEventLog(sql: SqlRunner, log: Logger, now: () => Date): EventLog {
  const rows = createGroupInsert(sql, 'conversation_events', ['conversation_id', 'type', 'actor_type', 'actor_id', 'data', 'created_at']);
  return {
    async record(conversationId, type, actor, data) {
      try {
        await rows.insert([conversationId, type, actor.type, actor.id === null ? null : String(actor.id), data ? JSON.stringify(data) : null, now()]);
      } catch (error) {
        // The timeline is a record of what happened; failing to write it must not undo the step.
        log.error({ err: error, conversationId, type }, 'could not record conversation event');
      }
    },
  };
}
