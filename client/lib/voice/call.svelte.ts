import type { VoiceRoomId } from '../../../shared/schemas/voice.js';
import { idleSnapshot, type VoiceSignaling, type VoiceSnapshot } from './types.js';
import type { VoiceClient } from './voice-client.js';

/**
 * A reactive seat in one voice room at a time, for Svelte views. mediasoup-client (in
 * ./voice-client.ts) is loaded on the first join only: pages that never call never download it.
 */
export class CallSeat {
  state = $state.raw<VoiceSnapshot>(idleSnapshot);
  #client: VoiceClient | null = null;
  readonly #signaling: () => VoiceSignaling | null;

  constructor(signaling: () => VoiceSignaling | null) {
    this.#signaling = signaling;
  }

  /** Connecting, connected or held. */
  get live(): boolean {
    const phase = this.state.phase;
    return phase === 'connecting' || phase === 'connected' || phase === 'held';
  }

  in(roomId: VoiceRoomId): boolean {
    return this.live && this.state.roomId === roomId;
  }

  async join(roomId: VoiceRoomId): Promise<void> {
    if (this.in(roomId)) return;
    const signaling = this.#signaling();
    if (!signaling) return;
    await this.#client?.leave();
    // Shown at once: loading the call code can take a moment on a slow line.
    this.state = { ...idleSnapshot, phase: 'connecting', roomId };
    const { VoiceClient } = await import('./voice-client.js');
    const client = new VoiceClient(signaling);
    this.#client = client;
    client.subscribe((state) => {
      if (this.#client === client) this.state = state;
    });
    await client.join(roomId);
  }

  setMuted(muted: boolean): Promise<void> {
    return this.#client?.setMuted(muted) ?? Promise.resolve();
  }

  async leave(): Promise<void> {
    await this.#client?.leave();
  }

  unblockAudio(): void {
    this.#client?.unblockAudio();
  }

  /** Forget an ended call (its notice was seen). */
  reset(): void {
    if (this.live) return;
    this.#client = null;
    this.state = idleSnapshot;
  }
}
