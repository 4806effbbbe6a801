import { defineEvent } from '../contract.js';
import {
  voiceConsumeSchema,
  voiceConsumerRefSchema,
  voiceMuteSchema,
  voiceProduceSchema,
  voiceRoomRefSchema,
  voiceTransportConnectSchema,
  voiceTransportCreateSchema,
  type CallState,
  type VoiceConsumerOptions,
  type VoiceJoined,
  type VoicePeer,
  type VoiceRemovedReason,
  type VoiceRoomId,
  type VoiceTransportOptions,
} from '../schemas/voice.js';

/**
 * Voice signaling, the same on the visitor and the agent namespace. The order a client follows:
 * join → create a send and a recv transport → connect each on its `connect` event → produce the
 * microphone → consume every producer listed and announced → resume each consumer → leave.
 */
export const voiceEvents = {
  /** Enter a room you belong to; a conversation's room starts its call (the other side is told by `call:updated`). */
  'voice:join': defineEvent<VoiceJoined>()(voiceRoomRefSchema),
  'voice:transport:create': defineEvent<VoiceTransportOptions>()(voiceTransportCreateSchema),
  'voice:transport:connect': defineEvent<Record<string, never>>()(voiceTransportConnectSchema),
  /** The microphone, on your send transport. */
  'voice:produce': defineEvent<{ producerId: string }>()(voiceProduceSchema),
  /** Another peer's producer of the same room, on your recv transport; starts paused. */
  'voice:consume': defineEvent<VoiceConsumerOptions>()(voiceConsumeSchema),
  'voice:consumer:resume': defineEvent<Record<string, never>>()(voiceConsumerRefSchema),
  /** Pauses (or resumes) your microphone at the server: nobody hears you, the others are told. */
  'voice:mute': defineEvent<Record<string, never>>()(voiceMuteSchema),
  /** Leave the room; transports, producer and consumers are closed. The last one out ends the call. */
  'voice:leave': defineEvent<Record<string, never>>()(voiceRoomRefSchema),
};

/**
 * What a voice room pushes to the sockets of its peers, the same on every namespace (/visitor,
 * /agent, /community). The server's rooms and peers can send only these (server/src/voice/peer.ts).
 */
export interface VoiceRoomPushes {
  'voice:peer:joined': (event: { roomId: VoiceRoomId; peer: VoicePeer }) => void;
  'voice:peer:left': (event: { roomId: VoiceRoomId; peerId: string }) => void;
  'voice:peer:muted': (event: { roomId: VoiceRoomId; peerId: string; muted: boolean }) => void;
  /** Someone in the room started speaking into it: consume it. */
  'voice:producer:added': (event: { roomId: VoiceRoomId; producerId: string; peerId: string }) => void;
  /** A consumer of yours ended (its producer left); close it on your side. */
  'voice:consumer:closed': (event: { roomId: VoiceRoomId; consumerId: string }) => void;
  /** The server took you out of the room (the call went to a colleague, ended, or voice broke down). */
  'voice:removed': (event: { roomId: VoiceRoomId; reason: VoiceRemovedReason }) => void;
}

/** Every voice push a client receives: the room's, and its conversation's call state. */
export interface VoiceServerToClient extends VoiceRoomPushes {
  /** A conversation's call started, changed (joined, left, held, muted) or ended. */
  'call:updated': (call: CallState) => void;
}
