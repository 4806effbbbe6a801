import type { ClientToServer } from '../../../shared/contract.js';
import type { voiceEvents, VoiceServerToClient } from '../../../shared/events/voice.js';
import type { VoicePeer, VoiceRemovedReason, VoiceRoomId } from '../../../shared/schemas/voice.js';
import type { ClientAck } from '../errors.js';
import type { AskPayload, AskResult } from '../socket.js';
import type { MicProblem } from './microphone.js';

export type VoiceClientToServer = ClientToServer<typeof voiceEvents>;
export type VoiceAskEvent = keyof VoiceClientToServer & string;

/** Sends a voice request and resolves with its ack; never rejects (it is lib/socket `ask`). */
export type VoiceAsk = <E extends VoiceAskEvent>(event: E, payload: AskPayload<VoiceClientToServer[E]>) => Promise<ClientAck<AskResult<VoiceClientToServer[E]>>>;
/** Subscribes to a server push; returns the unsubscribe. */
export type VoiceOn = <E extends keyof VoiceServerToClient>(event: E, handler: VoiceServerToClient[E]) => () => void;

export interface VoiceSignaling {
  ask: VoiceAsk;
  on: VoiceOn;
}

export type CallPhase = 'idle' | 'connecting' | 'connected' | 'held' | 'ended';

/** Why this side's call ended: the server's reason, our own hang-up, or a failure. */
export type CallEnd = VoiceRemovedReason | 'left' | 'failed';

export interface VoiceSnapshot {
  phase: CallPhase;
  roomId: VoiceRoomId | null;
  /** Everybody else in the room. */
  peers: VoicePeer[];
  muted: boolean;
  held: boolean;
  /** ISO, when the call (not this peer) started. */
  startedAt: string | null;
  ended: CallEnd | null;
  /** The microphone could not be opened (the call never started). */
  micProblem: MicProblem | null;
  /** The server refused or failed a step: its error code and reason, for the UI's error text. */
  error: { code: string; reason?: string | undefined } | null;
  /** The browser blocked playing the other side (autoplay rule): `unblockAudio()` on a click. */
  audioBlocked: boolean;
  local: MediaStream | null;
  /** A new stream whenever the set of remote tracks changes (for the output level meter). */
  remote: MediaStream | null;
  /**
   * Optional so that the widget's idle state stays as small as it is. Our own peer id once joined;
   * community voice only: joined to listen without a microphone, silenced by staff.
   */
  peerId?: string | null;
  listenOnly?: boolean;
  silenced?: boolean;
}

/** How to join: `listenOnly` joins without opening the microphone (no send transport, no producer). */
export interface VoiceJoinOptions {
  listenOnly?: boolean;
}

export const idleSnapshot: VoiceSnapshot = {
  phase: 'idle',
  roomId: null,
  peers: [],
  muted: false,
  held: false,
  startedAt: null,
  ended: null,
  micProblem: null,
  error: null,
  audioBlocked: false,
  local: null,
  remote: null,
};
