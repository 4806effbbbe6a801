import { z } from 'zod';
import { clientIdSchema, languageCodeSchema, positiveIdSchema, uuidSchema } from './common.js';
import { COMMUNITY_MAX_LINKS, COMMUNITY_MESSAGE_MAX_LENGTH, COMMUNITY_PAGE_SIZE, DISPLAY_NAME_MAX_LENGTH, DISPLAY_NAME_MIN_LENGTH, DISPLAY_NAME_PATTERN, REASON_MAX_LENGTH } from '../limits.js';

/**
 * The community: topic rooms where customers answer each other, with staff present (see
 * docs/community.md). Visitors connect with their visitor token, staff with their console session.
 */

export { COMMUNITY_MAX_LINKS, COMMUNITY_MESSAGE_MAX_LENGTH, COMMUNITY_PAGE_SIZE };

/**
 * A display name: 2–40 characters, letters, digits, spaces and a few marks. Whether it could pass
 * for the team (a reserved word or a team member's name, also as a look-alike) is the server's
 * check: refused with the reason `name_reserved` (see docs/community.md).
 */
export const displayNameSchema = z
  .string()
  .trim()
  .min(DISPLAY_NAME_MIN_LENGTH)
  .max(DISPLAY_NAME_MAX_LENGTH)
  .regex(DISPLAY_NAME_PATTERN, 'letters, digits, spaces and . _ \' -');

const messageId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const communityText = z.string().trim().min(1).max(COMMUNITY_MESSAGE_MAX_LENGTH);

export const communityRoomRefSchema = z.object({ roomId: positiveIdSchema });
export const communityProfileSchema = z.object({ displayName: displayNameSchema });
export const communityHistorySchema = z.object({
  roomId: positiveIdSchema,
  /** Older than this message; without: the newest page. */
  beforeId: messageId.optional(),
});
export const communityThreadSchema = z.object({ messageId });
export const communityPostSchema = z.object({
  roomId: positiveIdSchema,
  clientId: clientIdSchema,
  text: communityText,
  /** A reply to this top-level message (a thread). */
  parentId: messageId.optional(),
});
export const communityReportSchema = z.object({ messageId, reason: z.string().trim().max(REASON_MAX_LENGTH).optional() });
export const communityAskAgentSchema = z.object({
  /** The thread's first message: the agent sees the thread linked. */
  messageId,
  clientId: clientIdSchema,
  departmentId: positiveIdSchema,
  language: languageCodeSchema,
  /** What the visitor wants to add for the agent; the thread's question is quoted anyway. */
  text: z.string().trim().max(COMMUNITY_MESSAGE_MAX_LENGTH).optional(),
});

// Staff only.
export const communityMessageRefSchema = z.object({ messageId });
export const communityFlagSchema = z.object({ messageId, on: z.boolean() });
export const sanctionKinds = ['mute', 'ban'] as const;
export const communitySanctionSchema = z.object({
  visitorId: uuidSchema,
  /** mute: may read, not post; ban: may not enter the community at all. Both also hold for the visitor's address (for at most a day). */
  kind: z.enum(sanctionKinds),
  minutes: z.number().int().min(1).max(60 * 24 * 365),
  reason: z.string().trim().max(REASON_MAX_LENGTH).optional(),
});
export const communitySanctionRefSchema = z.object({ sanctionId: positiveIdSchema });
export const communityVoiceSwitchSchema = z.object({ roomId: positiveIdSchema, open: z.boolean() });
export const communityReportResolveSchema = z.object({ reportId: positiveIdSchema, action: z.enum(['dismiss', 'delete']) });

// Admins (REST): the rooms.
export const communityRoomInputSchema = z.object({
  slug: z.string().trim().min(2).max(64).regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and -'),
  name: z.string().trim().min(2).max(120),
  description: z.string().trim().max(500).default(''),
  position: z.number().int().min(0).max(10_000).default(0),
});
export const communityRoomPatchSchema = communityRoomInputSchema.partial();

// ------------------------------------------------------------------ views

export interface CommunityRoom {
  id: number;
  slug: string;
  name: string;
  description: string;
  /** Its open voice room may be entered (voice room id `community:<id>`, see docs/voice.md). */
  voiceOpen: boolean;
}

export interface CommunityAuthor {
  /** Visitors: a stable pseudonymous id for moderation (staff see it); null for staff. */
  visitorId: string | null;
  displayName: string;
  staff: boolean;
}

export interface CommunityMessage {
  id: number;
  roomId: number;
  /** null: a top-level message (a question or statement); else the thread it replies to. */
  parentId: number | null;
  author: CommunityAuthor;
  /** Empty when deleted. Plain text: clients never render it as HTML. */
  body: string;
  deleted: boolean;
  pinned: boolean;
  /** A reply staff marked as the thread's accepted answer. */
  accepted: boolean;
  replyCount: number;
  createdAt: string;
}

export type SanctionKind = (typeof sanctionKinds)[number];

export interface CommunitySanction {
  id: number;
  visitorId: string;
  kind: SanctionKind;
  until: string;
  reason: string | null;
}

/** Who you are in the community. */
export interface CommunityMe {
  staff: boolean;
  displayName: string | null;
  /** Muted or banned until (ISO), or null. */
  muted: string | null;
}

export interface CommunityJoined {
  room: CommunityRoom;
  /** The newest top-level messages, oldest first (at most COMMUNITY_PAGE_SIZE). */
  messages: CommunityMessage[];
  pinned: CommunityMessage[];
  present: number;
  me: CommunityMe;
  /** There are older messages (ask `community:history` with `beforeId`). */
  more: boolean;
}

export interface CommunityReport {
  id: number;
  message: CommunityMessage;
  reason: string | null;
  /** How many visitors reported the message. */
  reports: number;
  createdAt: string;
}

/** Refusals as `error.reason` (a rate limit is RATE_LIMITED instead); see docs/community.md. */
export const communityRefusals = ['muted', 'banned', 'too_many_links', 'no_name', 'name_reserved', 'deleted', 'not_a_reply'] as const;
export type CommunityRefusal = (typeof communityRefusals)[number];
