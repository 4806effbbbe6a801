import type { types as ms } from 'mediasoup';
import type { VoiceRoomPushes } from '../../../shared/events/voice.js';
import type { VoiceConsumerOptions, VoiceProducer, VoiceRoomId, VoiceTransportOptions } from '../../../shared/schemas/voice.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors/errors.js';
import type { Logger } from '../log/logger.js';
import { mediaRequest } from './mediasoupErrors.js';
import type { Peer } from './peer.js';

export interface TransportSettings {
  listenInfos: ms.TransportListenInfo[];
  iceServers: VoiceTransportOptions['iceServers'];
}

/**
 * A voice room (mediasoup-demo's Room): one router on one worker, its peers, and whether its
 * call is on hold. A conversation's room holds the visitor and the serving agent (during a warm
 * transfer also the colleague); a consult room the two agents of a transfer.
 */
export class Room {
  readonly peers = new Map<string, Peer>();
  /** The agent put the visitor on hold: consumers between visitor and agents stay paused. */
  held = false;
  readonly startedAt = new Date();
  closed = false;
  /** Both a visitor and an agent have been in it: the call was answered. */
  answered = false;
  ringTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly id: VoiceRoomId,
    readonly router: ms.Router,
    private readonly transports: TransportSettings,
    private readonly log: Logger,
  ) {}

  producers(except?: Peer): VoiceProducer[] {
    const list: VoiceProducer[] = [];
    for (const peer of this.peers.values()) {
      if (peer !== except && peer.producer) list.push({ producerId: peer.producer.id, peerId: peer.id });
    }
    return list;
  }

  others(peer: Peer): Peer[] {
    return [...this.peers.values()].filter((p) => p !== peer);
  }

  /** Sends a room push (shared/events/voice.ts) to every peer. */
  broadcast<E extends keyof VoiceRoomPushes>(event: E, ...payload: Parameters<VoiceRoomPushes[E]>): void {
    for (const p of this.peers.values()) p.emit(event, ...payload);
  }

  /** Sends a room push about what `peer` did to everyone else (it knows from its ack). */
  broadcastFrom<E extends keyof VoiceRoomPushes>(peer: Peer, event: E, ...payload: Parameters<VoiceRoomPushes[E]>): void {
    for (const p of this.others(peer)) p.emit(event, ...payload);
  }

  async createTransport(peer: Peer, direction: 'send' | 'recv'): Promise<VoiceTransportOptions> {
    if (peer.transportFor(direction)) throw new ConflictError(`You already have a ${direction} transport in this room; leave and join again to start over.`);
    const transport = await mediaRequest({ step: 'createTransport', roomId: this.id, peerId: peer.id }, () =>
      this.router.createWebRtcTransport({
        listenInfos: this.transports.listenInfos,
        enableUdp: true,
        enableTcp: true,
        preferUdp: true,
        appData: { direction, peerId: peer.id },
      }),
    );
    peer.transports.set(transport.id, transport);
    // A client that vanishes without leaving (network gone, tab killed) is closed by its socket's
    // disconnect; a transport whose DTLS fails is of no use and is closed here.
    transport.on('dtlsstatechange', (state) => {
      if (state === 'failed' || state === 'closed') {
        this.log.warn({ roomId: this.id, peerId: peer.id, state }, 'voice transport lost its DTLS connection');
        transport.close();
        peer.transports.delete(transport.id);
      }
    });
    return {
      id: transport.id,
      iceParameters: transport.iceParameters as unknown as Record<string, unknown>,
      iceCandidates: transport.iceCandidates as unknown as Array<Record<string, unknown>>,
      dtlsParameters: transport.dtlsParameters as unknown as Record<string, unknown>,
      iceServers: this.transports.iceServers,
    };
  }

  private transportOf(peer: Peer, transportId: string): ms.WebRtcTransport {
    const transport = peer.transports.get(transportId);
    if (!transport) throw new NotFoundError('No such transport of yours in this room.');
    return transport;
  }

  async connectTransport(peer: Peer, transportId: string, dtlsParameters: ms.DtlsParameters): Promise<void> {
    const transport = this.transportOf(peer, transportId);
    await mediaRequest({ step: 'connectTransport', roomId: this.id, peerId: peer.id, input: 'dtlsParameters' }, () => transport.connect({ dtlsParameters }));
  }

  async produce(peer: Peer, transportId: string, rtpParameters: ms.RtpParameters): Promise<ms.Producer> {
    const transport = this.transportOf(peer, transportId);
    if (transport.appData.direction !== 'send') throw new ConflictError('Produce on your send transport.');
    if (peer.producer) throw new ConflictError('You already send audio in this room.');
    const producer = await mediaRequest({ step: 'produce', roomId: this.id, peerId: peer.id, input: 'rtpParameters' }, () =>
      transport.produce({ kind: 'audio', rtpParameters, paused: peer.muted }),
    );
    peer.producer = producer;
    producer.on('transportclose', () => {
      if (peer.producer === producer) peer.producer = null;
    });
    return producer;
  }

  /**
   * A consumer of another peer's producer, on the consumer's recv transport. Only producers of
   * this room's other peers can be consumed: a peer hears nothing it is not in the room for.
   */
  async consume(peer: Peer, producerId: string, rtpCapabilities: ms.RtpCapabilities): Promise<VoiceConsumerOptions> {
    const owner = this.others(peer).find((p) => p.producer?.id === producerId);
    if (!owner?.producer) throw new NotFoundError('No such producer in this room.');
    const transport = peer.transportFor('recv');
    if (!transport) throw new ConflictError('Create your recv transport first.');
    if (!this.router.canConsume({ producerId, rtpCapabilities })) throw new ValidationError([{ path: 'rtpCapabilities', message: 'cannot receive this producer (no common codec)' }]);
    for (const existing of peer.consumers.values()) {
      if (existing.producerId === producerId) throw new ConflictError('You already consume this producer.');
    }
    const consumer = await mediaRequest({ step: 'consume', roomId: this.id, peerId: peer.id, input: 'rtpCapabilities' }, () =>
      transport.consume({ producerId, rtpCapabilities, paused: true, appData: { producerPeerId: owner.id } }),
    );
    peer.consumers.set(consumer.id, consumer);
    const drop = () => {
      peer.consumers.delete(consumer.id);
      peer.resumedByClient.delete(consumer.id);
    };
    consumer.on('transportclose', drop);
    consumer.on('producerclose', () => {
      drop();
      peer.emit('voice:consumer:closed', { roomId: this.id, consumerId: consumer.id });
    });
    return { consumerId: consumer.id, producerId, peerId: owner.id, kind: 'audio', rtpParameters: consumer.rtpParameters as unknown as Record<string, unknown>, paused: true };
  }

  /**
   * Pauses or resumes a consumer. One whose producer just went (its peer left) is closed in the
   * worker before this process hears of it: the change then fails, and does not matter. That is
   * told by the room's state (the producer is no longer any peer's), not by the worker's words.
   */
  private async settled(consumer: ms.Consumer, change: () => Promise<void>): Promise<void> {
    if (consumer.closed) return;
    try {
      await change();
    } catch (error) {
      const producerGone = ![...this.peers.values()].some((p) => p.producer?.id === consumer.producerId);
      if (!consumer.closed && !producerGone) throw error;
      this.log.debug({ err: error, roomId: this.id, consumerId: consumer.id }, 'consumer of a producer that went: pause/resume skipped');
    }
  }

  /** Does hold keep this consumer paused? (Between the visitor and agents; agents among themselves still hear each other.) */
  private heldApart(peer: Peer, consumer: ms.Consumer): boolean {
    if (!this.held) return false;
    const from = this.peers.get(String(consumer.appData.producerPeerId));
    return peer.role === 'visitor' || from?.role === 'visitor';
  }

  async resumeConsumer(peer: Peer, consumerId: string): Promise<void> {
    const consumer = peer.consumers.get(consumerId);
    if (!consumer) throw new NotFoundError('No such consumer of yours in this room.');
    peer.resumedByClient.add(consumerId);
    if (!this.heldApart(peer, consumer)) await this.settled(consumer, () => consumer.resume());
  }

  async setMuted(peer: Peer, muted: boolean): Promise<void> {
    peer.muted = muted;
    if (peer.producer) await (muted ? peer.producer.pause() : peer.producer.resume());
  }

  /** Hold pauses every consumer between visitor and agents, both ways; taking the call back resumes what the clients had resumed. */
  async setHeld(held: boolean): Promise<void> {
    this.held = held;
    const work: Array<Promise<void>> = [];
    for (const peer of this.peers.values()) {
      for (const consumer of peer.consumers.values()) {
        if (this.heldApart(peer, consumer)) work.push(this.settled(consumer, () => consumer.pause()));
        else if (peer.resumedByClient.has(consumer.id)) work.push(this.settled(consumer, () => consumer.resume()));
      }
    }
    await Promise.all(work);
  }

  /** Removes the peer and closes its media; true when the room is now empty. */
  remove(peer: Peer): boolean {
    peer.close();
    this.peers.delete(peer.id);
    return this.peers.size === 0;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.ringTimer) clearTimeout(this.ringTimer);
    for (const peer of this.peers.values()) peer.close();
    this.peers.clear();
    this.router.close();
  }
}
