import type { CommunityRoom } from '../../../shared/schemas/community.js';
import { voiceRoomIds, type VoicePeer } from '../../../shared/schemas/voice.js';
import type { ClientAck } from '../errors.js';
import { ask } from '../socket.js';
import { socketSignaling } from '../voice/signaling.js';
import { idleSnapshot, type VoiceSnapshot } from '../voice/types.js';
import type { VoiceClient } from '../voice/voice-client.js';
import type { CommunityClient } from './client.svelte.js';

const notConnected: ClientAck<never> = { ok: false, error: { code: 'NETWORK', message: 'not connected' } };

/**
 * Your seat in the open voice room of the community room you are in (`community:<roomId>`), over
 * the shared VoiceClient on the /community socket. Unlike a call (lib/voice/call.svelte.ts) it can
 * join listen-only: when muted in the community (the server would refuse the microphone anyway)
 * or when the person chose to listen without a microphone. mediasoup-client is loaded on the
 * first join only.
 */
export class CommunityVoice {
  state = $state.raw<VoiceSnapshot>(idleSnapshot);
  /**
   * Staff: what this console did to a peer (silenced or let speak). `voice:peer:muted` does not
   * tell silencing from muting oneself; a peer's `silenced` from the join is the starting point.
   */
  #silencedHere = $state.raw<ReadonlyMap<string, boolean>>(new Map());
  #client: VoiceClient | null = null;
  readonly #community: CommunityClient;

  constructor(community: CommunityClient) {
    this.#community = community;
  }

  /** Connecting or connected. */
  get live(): boolean {
    const phase = this.state.phase;
    return phase === 'connecting' || phase === 'connected' || phase === 'held';
  }

  /** The community room whose voice room we are in (or last were in), or null. */
  get roomId(): number | null {
    const id = this.state.roomId;
    return id ? Number(voiceRoomIds.parse(id).id) : null;
  }

  /** Staff silenced this peer (only staff can undo it). */
  silenced(peer: VoicePeer): boolean {
    return peer.muted && (this.#silencedHere.get(peer.peerId) ?? peer.silenced === true);
  }

  /**
   * Joins the voice room of a community room. Listen-only when asked, or when muted in the
   * community (then no microphone prompt at all).
   */
  async join(roomId: number, listenOnly = false): Promise<void> {
    const voiceRoom = voiceRoomIds.community(roomId);
    if (this.live && this.state.roomId === voiceRoom) return;
    await this.#client?.leave();
    this.#silencedHere = new Map();
    const quiet = listenOnly || (this.#community.me?.staff !== true && this.#community.mutedNow);
    this.state = { ...idleSnapshot, phase: 'connecting', roomId: voiceRoom, listenOnly: quiet };
    const { VoiceClient } = await import('../voice/voice-client.js');
    const client = new VoiceClient(socketSignaling(this.#community.socket));
    this.#client = client;
    client.subscribe((state) => {
      if (this.#client === client) this.state = state;
    });
    await client.join(voiceRoom, { listenOnly: quiet });
  }

  setMuted(muted: boolean): Promise<void> {
    return this.#client?.setMuted(muted) ?? Promise.resolve();
  }

  async leave(): Promise<void> {
    await this.#client?.leave();
  }

  /** The connection dropped: the server took us out already, let go of everything here. */
  drop(): void {
    if (this.live) void this.#client?.leave('unavailable');
  }

  unblockAudio(): void {
    this.#client?.unblockAudio();
  }

  /** Forget an ended visit (its notice was seen). */
  reset(): void {
    if (this.live) return;
    this.#client = null;
    this.state = idleSnapshot;
  }

  /** Staff: silence a peer of the voice room we are in, or let them speak again. */
  async silence(peerId: string, muted: boolean): Promise<ClientAck<Record<string, never>>> {
    const roomId = this.state.roomId;
    if (!roomId || !this.live || !this.#community.socket.connected) return notConnected;
    const result = await ask(this.#community.socket, 'community:voice:mute', { roomId, peerId, muted });
    if (result.ok) this.#silencedHere = new Map(this.#silencedHere).set(peerId, muted);
    return result;
  }

  /** Staff: close a room's voice (everyone in it is taken out) or open it again. */
  async switchVoice(roomId: number, open: boolean): Promise<ClientAck<{ room: CommunityRoom }>> {
    if (!this.#community.socket.connected) return notConnected;
    const result = await ask(this.#community.socket, 'community:voice:switch', { roomId, open });
    if (result.ok) this.#community.applyRoom(result.data.room);
    return result;
  }
}
