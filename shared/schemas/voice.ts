import { z } from 'zod';
import { uuidSchema } from './common.js';
import { NAME_MAX_LENGTH, VOICEMAIL_MAX_BYTES, VOICEMAIL_MAX_SECONDS } from '../limits.js';

/**
 * Voice signaling (see docs/voice.md). The SFU is mediasoup; clients use mediasoup-client. The
 * WebRTC parameter objects are mediasoup's own shapes: these schemas bound their size and check
 * what the server relies on, mediasoup checks the rest (its refusals come back as VALIDATION_FAILED).
 */

/**
 * A voice room: `conversation:<id>` is the call of one conversation (its visitor and serving
 * agent); `consult:<transferId>` is the private line between the two agents of a pending warm
 * transfer; `community:<roomId>` is a community room's open voice room (on /community only).
 */
export const voiceRoomIdSchema = z
  .string()
  .max(60)
  .regex(
    /^((conversation|consult):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|community:[1-9][0-9]{0,9})$/,
    'expected "conversation:<uuid>", "consult:<uuid>" or "community:<id>"',
  );
export type VoiceRoomId = z.infer<typeof voiceRoomIdSchema>;
export type VoiceRoomKind = 'conversation' | 'consult' | 'community';

export const voiceRoomIds = {
  conversation: (conversationId: string): VoiceRoomId => `conversation:${conversationId}`,
  consult: (transferId: string): VoiceRoomId => `consult:${transferId}`,
  community: (roomId: number): VoiceRoomId => `community:${roomId}`,
  parse(roomId: VoiceRoomId): { kind: VoiceRoomKind; id: string } {
    const at = roomId.indexOf(':');
    return { kind: roomId.slice(0, at) as VoiceRoomKind, id: roomId.slice(at + 1) };
  },
};

const shortText = z.string().max(200);
const parameterValue = z.union([z.string().max(200), z.number(), z.boolean()]);
const codecParameters = z.record(z.string().max(64), parameterValue).refine((p) => Object.keys(p).length <= 32, 'too many codec parameters');
const rtcpFeedback = z.array(z.object({ type: z.string().max(32), parameter: z.string().max(32).optional() })).max(16);

export const dtlsParametersSchema = z.object({
  role: z.enum(['auto', 'client', 'server']).optional(),
  fingerprints: z
    .array(z.object({ algorithm: z.enum(['sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512']), value: z.string().max(200) }))
    .min(1)
    .max(8),
});

const rtpCodecParameters = z.object({
  mimeType: z.string().max(40).regex(/^(audio|video)\/[A-Za-z0-9._-]+$/),
  payloadType: z.number().int().min(0).max(127),
  clockRate: z.number().int().positive(),
  channels: z.number().int().min(1).max(8).optional(),
  parameters: codecParameters.optional(),
  rtcpFeedback: rtcpFeedback.optional(),
});

export const rtpParametersSchema = z.object({
  mid: z.string().max(16).optional(),
  codecs: z.array(rtpCodecParameters).min(1).max(8),
  headerExtensions: z
    .array(z.object({ uri: shortText, id: z.number().int().min(1).max(255), encrypt: z.boolean().optional(), parameters: codecParameters.optional() }))
    .max(16)
    .optional(),
  encodings: z
    .array(
      z.object({
        ssrc: z.number().int().nonnegative().optional(),
        rid: z.string().max(16).optional(),
        codecPayloadType: z.number().int().min(0).max(127).optional(),
        rtx: z.object({ ssrc: z.number().int().nonnegative() }).optional(),
        dtx: z.boolean().optional(),
        scalabilityMode: z.string().max(16).optional(),
        maxBitrate: z.number().int().positive().optional(),
      }),
    )
    .max(4)
    .optional(),
  rtcp: z.object({ cname: z.string().max(64).optional(), reducedSize: z.boolean().optional(), mux: z.boolean().optional() }).optional(),
  msid: z.string().max(128).optional(),
});

export const rtpCapabilitiesSchema = z.object({
  codecs: z
    .array(
      z.object({
        kind: z.enum(['audio', 'video']),
        mimeType: z.string().max(40),
        preferredPayloadType: z.number().int().min(0).max(127).optional(),
        clockRate: z.number().int().positive(),
        channels: z.number().int().min(1).max(8).optional(),
        parameters: codecParameters.optional(),
        rtcpFeedback: rtcpFeedback.optional(),
      }),
    )
    .max(64)
    .optional(),
  headerExtensions: z
    .array(
      z.object({
        kind: z.enum(['audio', 'video']),
        uri: shortText,
        preferredId: z.number().int().min(1).max(255),
        preferredEncrypt: z.boolean().optional(),
        direction: z.enum(['sendrecv', 'sendonly', 'recvonly', 'inactive']).optional(),
      }),
    )
    .max(64)
    .optional(),
});

// ------------------------------------------------------------------ client → server payloads

export const voiceRoomRefSchema = z.object({ roomId: voiceRoomIdSchema });

export const voiceTransportCreateSchema = z.object({
  roomId: voiceRoomIdSchema,
  /** One of each per peer and room: `send` carries the microphone, `recv` everything heard. */
  direction: z.enum(['send', 'recv']),
});

export const voiceTransportConnectSchema = z.object({
  roomId: voiceRoomIdSchema,
  transportId: uuidSchema,
  dtlsParameters: dtlsParametersSchema,
});

export const voiceProduceSchema = z.object({
  roomId: voiceRoomIdSchema,
  transportId: uuidSchema,
  /** Audio only: zentrale is a voice desk. */
  kind: z.literal('audio'),
  rtpParameters: rtpParametersSchema,
});

export const voiceConsumeSchema = z.object({
  roomId: voiceRoomIdSchema,
  producerId: uuidSchema,
  rtpCapabilities: rtpCapabilitiesSchema,
});

export const voiceConsumerRefSchema = z.object({ roomId: voiceRoomIdSchema, consumerId: uuidSchema });

export const voiceMuteSchema = z.object({ roomId: voiceRoomIdSchema, muted: z.boolean() });

/** Staff in a community voice room: silence someone (they cannot unmute themselves) or let them speak again. */
export const voiceMutePeerSchema = z.object({ roomId: voiceRoomIdSchema, peerId: uuidSchema, muted: z.boolean() });

export const callHoldSchema = z.object({ conversationId: uuidSchema, held: z.boolean() });

// ------------------------------------------------------------------ voicemail (REST, see docs/api.md)

/** A voicemail is at most this long and this large (Opus in WebM or Ogg, as MediaRecorder records it). */
export { VOICEMAIL_MAX_BYTES, VOICEMAIL_MAX_SECONDS };

/**
 * Query of POST /api/visitor/voicemail (the body is the recording). From a waiting chat or call
 * request (`conversationId`), or on its own (`departmentId`, `language`, `name`).
 */
export const voicemailQuerySchema = z
  .object({
    clientId: z.string().min(8).max(60).regex(/^[A-Za-z0-9_-]+$/),
    durationSeconds: z.coerce.number().int().min(1).max(VOICEMAIL_MAX_SECONDS),
    conversationId: uuidSchema.optional(),
    departmentId: z.coerce.number().int().positive().max(2 ** 31 - 1).optional(),
    language: z.string().regex(/^[a-z]{2}$/).optional(),
    name: z.string().trim().min(1).max(NAME_MAX_LENGTH).optional(),
    email: z.string().trim().toLowerCase().pipe(z.email()).optional(),
  })
  .refine((q) => q.conversationId !== undefined || (q.departmentId !== undefined && q.language !== undefined && q.name !== undefined), {
    message: 'give conversationId, or departmentId, language and name',
  });
export type VoicemailQuery = z.input<typeof voicemailQuerySchema>;

// ------------------------------------------------------------------ server → client shapes

export type VoiceRole = 'visitor' | 'agent';

export interface VoicePeer {
  peerId: string;
  role: VoiceRole;
  /** Visitor's name or agent's display name. */
  name: string;
  muted: boolean;
  /** Community voice: staff silenced this peer (only staff can undo it). */
  silenced?: boolean;
}

export interface VoiceProducer {
  producerId: string;
  peerId: string;
}

/** The state of a conversation's call, pushed to its visitor and agents whenever it changes. */
export interface CallState {
  conversationId: string;
  /** Someone is in the call's room. */
  active: boolean;
  /** The agent put the visitor on hold: no audio flows either way. */
  held: boolean;
  participants: Array<{ role: VoiceRole; name: string; muted: boolean }>;
  /** When the first participant joined (ISO), null when not active. */
  startedAt: string | null;
}

export interface VoiceJoined {
  roomId: VoiceRoomId;
  /** Yours; other peers' producers name their peer. */
  peerId: string;
  /** Hand these to mediasoup-client's `device.load()`. */
  routerRtpCapabilities: Record<string, unknown>;
  peers: VoicePeer[];
  /** What you may consume now; later ones arrive as `voice:producer:added`. */
  producers: VoiceProducer[];
  /** Conversation rooms only. */
  call: CallState | null;
}

/** Hand to `device.createSendTransport` / `createRecvTransport`. */
export interface VoiceTransportOptions {
  id: string;
  iceParameters: Record<string, unknown>;
  iceCandidates: Array<Record<string, unknown>>;
  dtlsParameters: Record<string, unknown>;
  /** TURN or other ICE servers the client should add (configured by the operator), often empty. */
  iceServers: Array<{ urls: string | string[]; username?: string; credential?: string }>;
}

export interface VoiceConsumerOptions {
  consumerId: string;
  producerId: string;
  peerId: string;
  kind: 'audio';
  rtpParameters: Record<string, unknown>;
  /** Always true: resume with `voice:consumer:resume` once the track is wired up. */
  paused: true;
}

/**
 * Why a call action was refused (CONFLICT, as `error.reason`): `on_call` the agent is already on
 * another call; `on_hold` the visitor cannot un-pause what the agent holds; `no_agent` the
 * conversation has no serving agent to call; `muted` staff silenced you (community voice), or you
 * are muted in the community; `voice_closed` staff closed the community room's voice.
 */
export const callRefusals = ['on_call', 'on_hold', 'no_agent', 'muted', 'voice_closed'] as const;
export type CallRefusal = (typeof callRefusals)[number];

export type VoiceRemovedReason = 'transferred' | 'ended' | 'left_elsewhere' | 'unavailable';

/** Whether this server can carry calls; when not, why (shown to admins, logged at start). */
export interface VoiceStatus {
  available: boolean;
  reason: string | null;
}
