import { Device, type types } from 'mediasoup-client';
import type { VoiceServerToClient } from '../../../shared/events/voice.js';
import type { CallState, VoiceRoomId, VoiceTransportOptions } from '../../../shared/schemas/voice.js';
import type { ClientAck } from '../errors.js';
import { micProblemOf, openMicrophone, stopStream } from './microphone.js';
import { idleSnapshot, type CallEnd, type VoiceJoinOptions, type VoiceSignaling, type VoiceSnapshot } from './types.js';

class StepFailed extends Error {
  constructor(readonly code: string, readonly reason?: string) {
    super(code);
  }
}

function unwrap<T>(ack: ClientAck<T>): T {
  if (!ack.ok) throw new StepFailed(ack.error.code, (ack.error as { reason?: string }).reason);
  return ack.data;
}

interface Remote {
  consumer: types.Consumer;
  audio: HTMLAudioElement;
}

/**
 * One peer in one voice room, over mediasoup-client. Framework-free and socket-agnostic: it only
 * needs `ask` (request with ack) and `on` (server pushes), so the widget and the console use it
 * on their own namespaces. A client is used for one join; make a new one for the next call.
 * State is published through `subscribe` (the Svelte store contract).
 */
export class VoiceClient {
  #state: VoiceSnapshot = idleSnapshot;
  readonly #listeners = new Set<(state: VoiceSnapshot) => void>();
  readonly #signaling: VoiceSignaling;
  #roomId: VoiceRoomId | null = null;
  /** Ours, once joined: a `voice:peer:muted` naming it means staff silenced us (community voice). */
  #peerId: string | null = null;
  #device: Device | null = null;
  #send: types.Transport | null = null;
  #recv: types.Transport | null = null;
  #producer: types.Producer | null = null;
  #mic: MediaStream | null = null;
  readonly #remotes = new Map<string, Remote>();
  /** Producers being or been consumed: each once. */
  readonly #known = new Set<string>();
  /** Announced before our transports existed: consumed once they do. */
  readonly #early = new Set<string>();
  #ready = false;
  #unsubscribe: Array<() => void> = [];
  #done = false;

  constructor(signaling: VoiceSignaling) {
    this.#signaling = signaling;
  }

  get state(): VoiceSnapshot {
    return this.#state;
  }

  subscribe(run: (state: VoiceSnapshot) => void): () => void {
    this.#listeners.add(run);
    run(this.#state);
    return () => this.#listeners.delete(run);
  }

  #set(patch: Partial<VoiceSnapshot>): void {
    this.#state = { ...this.#state, ...patch };
    for (const run of this.#listeners) run(this.#state);
  }

  /**
   * Microphone first (its errors are the ones a person can fix), then join, both transports,
   * produce, and consume whoever is already talking. Resolves when connected or failed.
   * `listenOnly` (community voice): no microphone, no send transport, nothing produced. A produce
   * the server refuses with reason `muted` (muted in the community) also continues listen-only.
   */
  async join(roomId: VoiceRoomId, options: VoiceJoinOptions = {}): Promise<void> {
    if (this.#roomId) throw new Error('a VoiceClient joins once');
    this.#roomId = roomId;
    const listenOnly = options.listenOnly === true;
    this.#set(listenOnly ? { phase: 'connecting', roomId, listenOnly } : { phase: 'connecting', roomId });
    if (!listenOnly) {
      try {
        this.#mic = await openMicrophone();
      } catch (error) {
        this.#set({ phase: 'ended', ended: 'failed', micProblem: micProblemOf(error) });
        this.#done = true;
        return;
      }
      this.#set({ local: this.#mic });
    }
    this.#listen(roomId);
    try {
      const { ask } = this.#signaling;
      const joined = unwrap(await ask('voice:join', { roomId }));
      if (this.#done) return void ask('voice:leave', { roomId });
      this.#peerId = joined.peerId;
      this.#set({ peerId: joined.peerId, peers: joined.peers.filter((p) => p.peerId !== joined.peerId) });
      if (joined.call) this.#applyCall(joined.call);
      const device = new Device();
      await device.load({ routerRtpCapabilities: joined.routerRtpCapabilities as unknown as types.RtpCapabilities });
      this.#device = device;
      if (this.#mic) {
        this.#send = await this.#transport(device, 'send');
        this.#recv = await this.#transport(device, 'recv');
        const track = this.#mic.getAudioTracks()[0];
        if (!track) throw new StepFailed('NO_TRACK');
        try {
          this.#producer = await this.#send.produce({ track, stopTracks: false });
        } catch (error) {
          // Muted in the community: the server lets us listen, not speak.
          if (!(error instanceof StepFailed && error.reason === 'muted') || this.#done) throw error;
          this.#send.close();
          this.#send = null;
          stopStream(this.#mic);
          this.#mic = null;
          this.#set({ local: null, listenOnly: true, error: { code: error.code, reason: error.reason } });
        }
      } else {
        this.#recv = await this.#transport(device, 'recv');
      }
      if (this.#done) return;
      this.#set({ phase: this.#state.held ? 'held' : 'connected' });
      this.#ready = true;
      for (const producerId of [...joined.producers.map((p) => p.producerId), ...this.#early]) void this.#consume(producerId);
    } catch (error) {
      if (this.#done) return;
      const failed = error instanceof StepFailed ? { code: error.code, reason: error.reason } : { code: 'INTERNAL' };
      this.#set({ error: failed });
      await this.leave('failed');
    }
  }

  /** Mutes at the server (the others are told) and locally (nothing leaves the browser). */
  async setMuted(muted: boolean): Promise<void> {
    const roomId = this.#roomId;
    if (!roomId || this.#done) return;
    for (const track of this.#mic?.getAudioTracks() ?? []) track.enabled = !muted;
    this.#set({ muted });
    const result = await this.#signaling.ask('voice:mute', { roomId, muted });
    if (!result.ok && !this.#done) {
      for (const track of this.#mic?.getAudioTracks() ?? []) track.enabled = muted;
      // Community voice: staff silenced us, only they can undo it.
      this.#set(!muted && result.error.reason === 'muted' ? { muted: true, silenced: true, error: { code: result.error.code, reason: 'muted' } } : { muted: !muted });
    }
  }

  /** Hangs up (tells the server unless it took us out already), then lets go of everything. */
  async leave(reason: CallEnd = 'left'): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    const roomId = this.#roomId;
    this.#teardown(reason);
    if (roomId && reason !== 'ended' && reason !== 'transferred' && reason !== 'left_elsewhere' && reason !== 'unavailable') {
      await this.#signaling.ask('voice:leave', { roomId });
    }
  }

  /** After the browser blocked autoplay: call from a click. */
  unblockAudio(): void {
    for (const { audio } of this.#remotes.values()) void audio.play().catch(() => undefined);
    this.#set({ audioBlocked: false });
  }

  #listen(roomId: VoiceRoomId): void {
    const { on } = this.#signaling;
    const mine = (event: { roomId: VoiceRoomId }): boolean => event.roomId === roomId && !this.#done;
    const handlers: { [E in keyof VoiceServerToClient]?: VoiceServerToClient[E] } = {
      'voice:peer:joined': (e) => {
        if (mine(e)) this.#set({ peers: [...this.#state.peers.filter((p) => p.peerId !== e.peer.peerId), e.peer] });
      },
      'voice:peer:left': (e) => {
        if (mine(e)) this.#set({ peers: this.#state.peers.filter((p) => p.peerId !== e.peerId) });
      },
      'voice:peer:muted': (e) => {
        if (!mine(e)) return;
        // Only staff in a community room name us here (the others' own mutes never come back to them).
        if (e.peerId === this.#peerId) return this.#silence(e.muted);
        this.#set({ peers: this.#state.peers.map((p) => (p.peerId === e.peerId ? { ...p, muted: e.muted } : p)) });
      },
      'voice:producer:added': (e) => {
        if (mine(e)) void this.#consume(e.producerId);
      },
      'voice:consumer:closed': (e) => {
        if (!mine(e)) return;
        for (const [producerId, remote] of this.#remotes) if (remote.consumer.id === e.consumerId) this.#dropRemote(producerId);
      },
      'voice:removed': (e) => {
        if (mine(e)) void this.leave(e.reason);
      },
      'call:updated': (call) => {
        if (!this.#done && `conversation:${call.conversationId}` === roomId) this.#applyCall(call);
      },
    };
    for (const [event, handler] of Object.entries(handlers)) {
      this.#unsubscribe.push(on(event as keyof VoiceServerToClient, handler as never));
    }
  }

  /** Staff silenced us (nothing leaves the browser either) or let us speak again. */
  #silence(silenced: boolean): void {
    for (const track of this.#mic?.getAudioTracks() ?? []) track.enabled = !silenced;
    this.#set({ muted: silenced, silenced });
  }

  #applyCall(call: CallState): void {
    const connecting = this.#state.phase === 'connecting';
    this.#set({ held: call.held, startedAt: call.startedAt ?? this.#state.startedAt, phase: connecting ? 'connecting' : call.held ? 'held' : 'connected' });
  }

  async #transport(device: Device, direction: 'send' | 'recv'): Promise<types.Transport> {
    const roomId = this.#roomId!;
    const { ask } = this.#signaling;
    const options: VoiceTransportOptions = unwrap(await ask('voice:transport:create', { roomId, direction }));
    const init = {
      id: options.id,
      iceParameters: options.iceParameters as unknown as types.IceParameters,
      iceCandidates: options.iceCandidates as unknown as types.IceCandidate[],
      dtlsParameters: options.dtlsParameters as unknown as types.DtlsParameters,
      iceServers: options.iceServers,
    };
    const transport = direction === 'send' ? device.createSendTransport(init) : device.createRecvTransport(init);
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      void ask('voice:transport:connect', { roomId, transportId: transport.id, dtlsParameters: dtlsParameters as never }).then((ack) =>
        ack.ok ? callback() : errback(new StepFailed(ack.error.code)),
      );
    });
    if (direction === 'send') {
      transport.on('produce', ({ rtpParameters }, callback, errback) => {
        void ask('voice:produce', { roomId, transportId: transport.id, kind: 'audio', rtpParameters: rtpParameters as never }).then((ack) =>
          ack.ok ? callback({ id: ack.data.producerId }) : errback(new StepFailed(ack.error.code, ack.error.reason)),
        );
      });
    }
    transport.on('connectionstatechange', (state) => {
      // ICE or DTLS broke down for good: the call cannot recover on this transport.
      if (state === 'failed' && !this.#done) {
        this.#set({ error: { code: 'UNAVAILABLE' } });
        void this.leave('failed');
      }
    });
    return transport;
  }

  /** Consumes one producer, plays it, then asks the server to resume it (consumers start paused). */
  async #consume(producerId: string): Promise<void> {
    if (!this.#ready) return void this.#early.add(producerId);
    const device = this.#device;
    const recv = this.#recv;
    const roomId = this.#roomId;
    if (!device || !recv || !roomId || this.#known.has(producerId)) return;
    this.#known.add(producerId);
    const { ask } = this.#signaling;
    const options = await ask('voice:consume', { roomId, producerId, rtpCapabilities: device.rtpCapabilities as never });
    if (!options.ok || this.#done) return;
    const consumer = await recv.consume({
      id: options.data.consumerId,
      producerId,
      kind: 'audio',
      rtpParameters: options.data.rtpParameters as unknown as types.RtpParameters,
    });
    if (this.#done) return void consumer.close();
    const audio = new Audio();
    audio.autoplay = true;
    audio.srcObject = new MediaStream([consumer.track]);
    this.#remotes.set(producerId, { consumer, audio });
    audio.play().catch((error: unknown) => {
      if (error instanceof DOMException && error.name === 'NotAllowedError') this.#set({ audioBlocked: true });
    });
    this.#publishRemote();
    await ask('voice:consumer:resume', { roomId, consumerId: consumer.id });
  }

  #dropRemote(producerId: string): void {
    const remote = this.#remotes.get(producerId);
    if (!remote) return;
    this.#remotes.delete(producerId);
    this.#known.delete(producerId);
    remote.consumer.close();
    remote.audio.pause();
    remote.audio.srcObject = null;
    this.#publishRemote();
  }

  #publishRemote(): void {
    const tracks = [...this.#remotes.values()].map((r) => r.consumer.track);
    this.#set({ remote: tracks.length > 0 ? new MediaStream(tracks) : null });
  }

  #teardown(reason: CallEnd): void {
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.#unsubscribe = [];
    for (const producerId of [...this.#remotes.keys()]) this.#dropRemote(producerId);
    this.#producer?.close();
    this.#send?.close();
    this.#recv?.close();
    stopStream(this.#mic);
    this.#producer = null;
    this.#send = null;
    this.#recv = null;
    this.#mic = null;
    this.#set({ phase: 'ended', ended: reason, local: null, remote: null, audioBlocked: false, held: false });
  }
}
