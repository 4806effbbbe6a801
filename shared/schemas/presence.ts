import { z } from 'zod';

/** What an agent chooses. "busy" is never chosen: it is derived from load (see routing). */
export const agentStatuses = ['available', 'away', 'offline'] as const;
export const agentStatusSchema = z.enum(agentStatuses);
export type AgentStatus = z.infer<typeof agentStatusSchema>;

export const awayReasons = ['break', 'meeting', 'training', 'backoffice', 'missed_offer', 'other'] as const;
export const awayReasonSchema = z.enum(awayReasons);
export type AwayReason = z.infer<typeof awayReasonSchema>;

export const presenceSetSchema = z
  .object({
    status: agentStatusSchema,
    reason: awayReasonSchema.optional(),
  })
  .refine((p) => p.status === 'away' || p.reason === undefined, {
    message: 'a reason is only allowed with status "away"',
    path: ['reason'],
  });

export const presenceSchema = z.object({
  agentId: z.number().int(),
  status: agentStatusSchema,
  reason: awayReasonSchema.nullable(),
  /** ISO timestamp of the last status change. */
  since: z.string(),
});
export type Presence = z.infer<typeof presenceSchema>;
