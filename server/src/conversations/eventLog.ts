import type { Models } from '../db/models/index.js';
import type { Logger } from '../log/logger.js';

export type ConversationEventType =
  | 'queued'
  | 'offered'
  | 'accepted'
  | 'declined'
  | 'offer_timeout'
  | 'requeued'
  | 'closed'
  | 'transcript_requested';

export interface EventActor {
  type: 'visitor' | 'agent' | 'system';
  id: string | number | null;
}

/** The conversation timeline: every routing and lifecycle step, stored for the console and the API. */
export interface EventLog {
  record(conversationId: string, type: ConversationEventType, actor: EventActor, data?: Record<string, unknown>): Promise<void>;
}

export function createEventLog(models: Models, log: Logger, now: () => Date): EventLog {
  return {
    async record(conversationId, type, actor, data) {
      try {
        await models.ConversationEvent.create({
          conversationId,
          type,
          actorType: actor.type,
          actorId: actor.id === null ? null : String(actor.id),
          data: data ? JSON.stringify(data) : null,
          createdAt: now(),
        });
      } catch (error) {
        // The timeline is a record of what happened; failing to write it must not undo the step.
        log.error({ err: error, conversationId, type }, 'could not record conversation event');
      }
    },
  };
}
