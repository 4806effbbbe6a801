import { defineEvent, type ClientToServer } from '../contract.js';
import { emptySchema } from '../schemas/chat.js';
import {
  communityAskAgentSchema,
  communityFlagSchema,
  communityHistorySchema,
  communityMessageRefSchema,
  communityPostSchema,
  communityProfileSchema,
  communityReportResolveSchema,
  communityReportSchema,
  communityRoomRefSchema,
  communitySanctionRefSchema,
  communitySanctionSchema,
  communityThreadSchema,
  communityVoiceSwitchSchema,
  type CommunityJoined,
  type CommunityMe,
  type CommunityMessage,
  type CommunityReport,
  type CommunityRoom,
  type CommunitySanction,
} from '../schemas/community.js';
import type { TicketCreated } from '../schemas/tickets.js';
import { voiceMutePeerSchema } from '../schemas/voice.js';
import { voiceEvents, type VoiceServerToClient } from './voice.js';
import type { SessionEndCode } from '../schemas/auth.js';
import type { Conversation } from '../schemas/chat.js';
import type { QueueStatus } from '../schemas/routing.js';

/**
 * Namespace of the community rooms. Visitors authenticate with `{ token }` (their visitor token,
 * as on /visitor), staff with the console's session cookie (same origin only).
 */
export const COMMUNITY_NAMESPACE = '/community';

export const communityEvents = {
  'community:rooms': defineEvent<{ rooms: CommunityRoom[]; me: CommunityMe }>()(emptySchema),
  /** Your display name (visitors; needed before posting). */
  'community:profile': defineEvent<{ me: CommunityMe }>()(communityProfileSchema),
  /** Enter a room: its newest messages, pinned ones, who is present. One room at a time per connection. */
  'community:join': defineEvent<CommunityJoined>()(communityRoomRefSchema),
  'community:leave': defineEvent<Record<string, never>>()(communityRoomRefSchema),
  /** Older top-level messages, oldest first. */
  'community:history': defineEvent<{ messages: CommunityMessage[]; more: boolean }>()(communityHistorySchema),
  /** A thread: its first message and every reply, oldest first. */
  'community:thread': defineEvent<{ message: CommunityMessage; replies: CommunityMessage[] }>()(communityThreadSchema),
  /** A message or a reply; idempotent by clientId. */
  'community:post': defineEvent<{ message: CommunityMessage; duplicate: boolean }>()(communityPostSchema),
  /** Visitors: report a message to the moderators (once per message). */
  'community:report': defineEvent<Record<string, never>>()(communityReportSchema),
  /**
   * Visitors: take a thread to a private live chat with an agent (routing as for any chat, the
   * thread linked for the agent), or a ticket when nobody can take it (as `conversation:start`).
   * The chat then continues on the /visitor namespace.
   */
  'community:ask-agent': defineEvent<{ conversation: Conversation; queue: QueueStatus | null; ticket: TicketCreated | null }>()(communityAskAgentSchema),

  // Staff only (agents, supervisors, admins); visitors get FORBIDDEN.
  'community:delete': defineEvent<{ message: CommunityMessage }>()(communityMessageRefSchema),
  'community:pin': defineEvent<{ message: CommunityMessage }>()(communityFlagSchema),
  /** Mark a reply as its thread's accepted answer (one per thread; marking another moves it). */
  'community:accept': defineEvent<{ message: CommunityMessage }>()(communityFlagSchema),
  'community:sanction': defineEvent<{ sanction: CommunitySanction }>()(communitySanctionSchema),
  'community:sanction:lift': defineEvent<Record<string, never>>()(communitySanctionRefSchema),
  'community:sanctions': defineEvent<{ sanctions: CommunitySanction[] }>()(emptySchema),
  /** Open reports, most reported first. */
  'community:reports': defineEvent<{ reports: CommunityReport[] }>()(emptySchema),
  'community:report:resolve': defineEvent<Record<string, never>>()(communityReportResolveSchema),

  /**
   * The room's open voice room (`community:<roomId>`): the voice:* events of docs/voice.md. Anyone
   * present with a display name may listen; visitors muted in the community only listen.
   */
  ...voiceEvents,
  /** Staff: silence someone in the voice room (they cannot unmute themselves) or let them speak. */
  'community:voice:mute': defineEvent<Record<string, never>>()(voiceMutePeerSchema),
  /** Staff: close the room's voice (everyone in it is taken out) or open it again. */
  'community:voice:switch': defineEvent<{ room: CommunityRoom }>()(communityVoiceSwitchSchema),
};

export type CommunityClientToServer = ClientToServer<typeof communityEvents>;

export interface CommunityServerToClient extends VoiceServerToClient {
  /** Staff only: the console session behind this connection ended (as on /agent); the connection closes. */
  'session:ended': (reason: { code: SessionEndCode }) => void;
  /** A room's voice was opened or closed by staff. */
  'community:room': (room: CommunityRoom) => void;
  /** A new message or reply in the room you are in. */
  'community:message': (message: CommunityMessage) => void;
  /** A message changed: deleted (body emptied), pinned, accepted, reply count. */
  'community:updated': (message: CommunityMessage) => void;
  /** Volatile: how many are in the room. */
  'community:presence': (presence: { roomId: number; present: number }) => void;
  /** You were muted or banned (or it was lifted: `muted` null). A ban also ends the connection. */
  'community:sanctioned': (me: CommunityMe & { kind: 'mute' | 'ban' | null; reason: string | null }) => void;
  /** Staff: a message was reported. */
  'community:reported': (report: CommunityReport) => void;
}
