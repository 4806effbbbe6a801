import type { types as ms } from 'mediasoup';
import type { VoiceRoomPushes } from '../../../shared/events/voice.js';
import type { VoicePeer as VoicePeerView, VoiceRole } from '../../../shared/schemas/voice.js';

/** Who a peer is: the identity its authorization was checked for. */
export type VoiceCaller = { role: 'visitor'; visitorId: string; name: string } | { role: 'agent'; agentId: number; name: string };

/**
 * Sends one room push (shared/events/voice.ts) to the peer's socket, on whichever node it is
 * connected: a push that is not in the map, or a payload of the wrong shape, does not compile.
 */
export type PeerEmit = <E extends keyof VoiceRoomPushes>(event: E, ...payload: Parameters<VoiceRoomPushes[E]>) => void;

/**
 * One socket in one room (mediasoup-demo's Peer): at most one send and one recv transport, one
 * microphone producer and a consumer per other peer. Closing the peer closes all of them; mediasoup
 * closes producers and consumers with their transport.
 */
export class Peer {
  readonly transports = new Map<string, ms.WebRtcTransport>();
  readonly consumers = new Map<string, ms.Consumer>();
  /** Consumers the client has resumed: hold pauses them, taking the call back resumes only these. */
  readonly resumedByClient = new Set<string>();
  producer: ms.Producer | null = null;
  muted = false;
  closed = false;
  /** Community voice: may this peer speak at all (a visitor muted in the community only listens)? */
  maySpeak = true;
  /** Community voice: staff silenced this peer; only staff can undo it. */
  silenced = false;

  constructor(
    readonly id: string,
    readonly socketId: string,
    readonly caller: VoiceCaller,
    readonly emit: PeerEmit,
  ) {}

  get role(): VoiceRole {
    return this.caller.role;
  }

  transportFor(direction: 'send' | 'recv'): ms.WebRtcTransport | undefined {
    for (const t of this.transports.values()) if (t.appData.direction === direction) return t;
    return undefined;
  }

  view(): VoicePeerView {
    return { peerId: this.id, role: this.role, name: this.caller.name, muted: this.muted, silenced: this.silenced };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const transport of this.transports.values()) transport.close();
    this.transports.clear();
    this.consumers.clear();
    this.producer = null;
  }
}
