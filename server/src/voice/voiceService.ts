import { randomUUID } from 'node:crypto';
import type { types as ms } from 'mediasoup';
import type { CallRefusal, CallState, VoiceConsumerOptions, VoiceJoined, VoiceRemovedReason, VoiceRoomId, VoiceTransportOptions } from '../../../shared/schemas/voice.js';
import { voiceRoomIds } from '../../../shared/schemas/voice.js';
import { ForbiddenError, NotFoundError, RefusedError, UnavailableError } from '../errors/errors.js';
import type { Logger } from '../log/logger.js';
import { Peer, type PeerEmit, type VoiceCaller } from './peer.js';
import { Room, type TransportSettings } from './room.js';
import type { WorkerPool } from './workerPool.js';

/** Who may be in which room: answered from the database and routing by the composition root. */
export interface VoiceAccess {
  /**
   * The conversation behind a conversation room, when `caller` may be in its call: its visitor, or
   * the agent serving it. Null otherwise (the room then looks missing).
   */
  conversation(conversationId: string, caller: VoiceCaller): Promise<{ visitorId: string; agentId: number | null } | null>;
  /** May this agent be in the consult room of that transfer (its requester or colleague, while pending)? */
  consult(transferId: string, agentId: number): Promise<boolean>;
  /**
   * A community room's voice: null when the caller may not enter (no such room, banned), else
   * whether its voice is open and whether the caller may speak (visitors muted in the community only listen).
   */
  community(roomId: number, caller: VoiceCaller): Promise<{ open: boolean; maySpeak: boolean } | null>;
  /** One call per agent: marks the conversation's call started or ended in routing. */
  markCall(conversationId: string, inCall: boolean): Promise<{ ok: true } | { ok: false; refusal: 'not_assigned' | 'on_call' }>;
}

export interface VoiceHooks {
  /** A conversation's call state changed: to its visitor and its agents. */
  callUpdated(visitorId: string, call: CallState): void;
  /** For the conversation's thread: a call started, or ended after `seconds`. */
  callStarted(conversationId: string): Promise<void>;
  callEnded(conversationId: string, seconds: number): Promise<void>;
  /** The room closed here (a cluster releases its claim on it). */
  roomClosed?(roomId: VoiceRoomId): void;
}

export interface VoiceServiceDeps {
  /** A conversation's call that only one side ever joined ends after this long. */
  ringMs: number;
  pool: WorkerPool;
  transports: TransportSettings;
  access: VoiceAccess;
  hooks: VoiceHooks;
  log: Logger;
}

interface RoomEntry {
  room: Room;
  /** Conversation rooms: whose call it is. */
  visitorId: string | null;
}

/**
 * Voice rooms of this node: who is in which, and every signaling step, each authorized. A
 * conversation's room starts its call with the first peer and ends it with the last.
 */
export function createVoiceService(deps: VoiceServiceDeps) {
  const { pool, access, hooks, log } = deps;
  const rooms = new Map<VoiceRoomId, RoomEntry>();
  const opening = new Map<VoiceRoomId, Promise<RoomEntry>>();
  const peersBySocket = new Map<string, Map<VoiceRoomId, Peer>>();

  const conversationIdOf = (roomId: VoiceRoomId): string | null => {
    const { kind, id } = voiceRoomIds.parse(roomId);
    return kind === 'conversation' ? id : null;
  };

  function callState(entry: RoomEntry | undefined, conversationId: string): CallState {
    if (!entry || entry.room.closed || entry.room.peers.size === 0) return { conversationId, active: false, held: false, participants: [], startedAt: null };
    const { room } = entry;
    return {
      conversationId,
      active: true,
      held: room.held,
      participants: [...room.peers.values()].map((p) => ({ role: p.role, name: p.caller.name, muted: p.muted })),
      startedAt: room.startedAt.toISOString(),
    };
  }

  function pushCall(entry: RoomEntry | undefined, roomId: VoiceRoomId, visitorId: string | null): void {
    const conversationId = conversationIdOf(roomId);
    if (conversationId && visitorId) hooks.callUpdated(visitorId, callState(entry, conversationId));
  }

  /** Who the caller is in this room, checked every time (a transfer or a close can take it away). */
  async function authorize(roomId: VoiceRoomId, caller: VoiceCaller): Promise<{ visitorId: string | null; maySpeak: boolean }> {
    const { kind, id } = voiceRoomIds.parse(roomId);
    if (kind === 'conversation') {
      const conversation = await access.conversation(id, caller);
      if (!conversation) throw new NotFoundError('No such call.');
      return { visitorId: conversation.visitorId, maySpeak: true };
    }
    if (kind === 'community') {
      const room = await access.community(Number(id), caller);
      if (!room) throw new NotFoundError('No such room.');
      if (!room.open) throw new RefusedError<CallRefusal>('voice_closed', 'The team closed this room’s voice.');
      return { visitorId: null, maySpeak: room.maySpeak };
    }
    if (caller.role !== 'agent' || !(await access.consult(id, caller.agentId))) throw new NotFoundError('No such call.');
    return { visitorId: null, maySpeak: true };
  }

  async function openRoom(roomId: VoiceRoomId, visitorId: string | null): Promise<RoomEntry> {
    const existing = rooms.get(roomId);
    if (existing && !existing.room.closed) return existing;
    const pending = opening.get(roomId);
    if (pending) return pending;
    const created = (async () => {
      const router = await pool.createRouter();
      const entry: RoomEntry = { room: new Room(roomId, router, deps.transports, log.child({ roomId })), visitorId };
      // The worker died: every peer is told, the call ends.
      router.observer.once('close', () => {
        if (!entry.room.closed) void closeRoom(roomId, 'unavailable');
      });
      rooms.set(roomId, entry);
      return entry;
    })();
    opening.set(roomId, created);
    try {
      return await created;
    } finally {
      opening.delete(roomId);
    }
  }

  function peerOf(socketId: string, roomId: VoiceRoomId): { entry: RoomEntry; peer: Peer } {
    const peer = peersBySocket.get(socketId)?.get(roomId);
    const entry = rooms.get(roomId);
    if (!peer || !entry || entry.room.closed) throw new NotFoundError('You are not in this call; join it first.');
    return { entry, peer };
  }

  function forgetPeer(peer: Peer, roomId: VoiceRoomId): void {
    const mine = peersBySocket.get(peer.socketId);
    if (mine?.get(roomId) === peer) mine.delete(roomId);
    if (mine && mine.size === 0) peersBySocket.delete(peer.socketId);
  }

  /**
   * Takes a peer out. The call ends like a phone call: when the visitor hangs up or drops, when
   * the last agent hangs up (`hangUp`), or when nobody is left. An agent taken out by a transfer,
   * or whose console dropped, leaves the visitor waiting in the call for whoever serves it next.
   */
  async function removePeer(entry: RoomEntry, peer: Peer, notice: VoiceRemovedReason | null, hangUp: boolean, replaced = false): Promise<void> {
    const { room } = entry;
    if (!room.peers.has(peer.id)) return;
    forgetPeer(peer, room.id);
    const empty = room.remove(peer);
    if (notice) peer.emit('voice:removed', { roomId: room.id, reason: notice });
    room.broadcast('voice:peer:left', { roomId: room.id, peerId: peer.id });
    log.info({ roomId: room.id, peerId: peer.id, role: peer.role, reason: notice ?? (hangUp ? 'hung up' : 'left') }, 'left voice room');
    const { kind } = voiceRoomIds.parse(room.id);
    // A community room stays open while anyone is in it; a consult line is two people.
    const ends = empty || kind === 'consult' || (kind === 'conversation' && (peer.role === 'visitor' || (hangUp && !room.others(peer).some((p) => p.role === 'agent'))));
    // Someone taking their own place (another tab, a rejoin) never ends the call: they are back at once.
    if (ends && !replaced) await closeRoom(room.id, 'ended');
    else pushCall(entry, room.id, entry.visitorId);
  }

  let shuttingDown = false;
  /** Ends of calls being written down: shutdown waits for them before the database closes. */
  const recording = new Set<Promise<void>>();

  async function closeRoom(roomId: VoiceRoomId, reason: VoiceRemovedReason | null): Promise<void> {
    const entry = rooms.get(roomId);
    if (!entry) return;
    rooms.delete(roomId);
    const { room } = entry;
    for (const peer of room.peers.values()) {
      forgetPeer(peer, roomId);
      if (reason) peer.emit('voice:removed', { roomId, reason });
    }
    const seconds = Math.round((Date.now() - room.startedAt.getTime()) / 1000);
    room.close();
    hooks.roomClosed?.(roomId);
    log.info({ roomId, seconds }, 'voice room closed');
    const conversationId = conversationIdOf(roomId);
    if (!conversationId) return;
    pushCall(undefined, roomId, entry.visitorId);
    // At shutdown the database may be gone by now; routing state is rebuilt at the next start.
    if (shuttingDown) return;
    const recorded = (async () => {
      try {
        await access.markCall(conversationId, false);
        await hooks.callEnded(conversationId, seconds);
      } catch (error) {
        log.error({ err: error, roomId }, 'could not record the end of a call');
      }
    })();
    recording.add(recorded);
    await recorded.finally(() => recording.delete(recorded));
  }

  return {
    get available(): boolean {
      return pool.availability.available;
    },

    async join(roomId: VoiceRoomId, caller: VoiceCaller, socketId: string, emit: PeerEmit): Promise<VoiceJoined> {
      if (!pool.availability.available) throw new UnavailableError(`Calls are not available on this server: ${pool.availability.summary}`);
      const { visitorId, maySpeak } = await authorize(roomId, caller);
      const conversationId = conversationIdOf(roomId);
      const before = rooms.get(roomId);
      const starting = !before || before.room.closed || before.room.peers.size === 0;
      if (conversationId && starting) {
        // The call starts: one call per agent, and there must be an agent to talk to.
        const marked = await access.markCall(conversationId, true);
        if (!marked.ok) {
          throw marked.refusal === 'on_call'
            ? new RefusedError<CallRefusal>('on_call', 'The agent is already on another call.')
            : new RefusedError<CallRefusal>('no_agent', 'Nobody serves this conversation yet; a call can start once an agent has taken it.');
        }
      }
      const entry = await openRoom(roomId, visitorId);
      const { room } = entry;
      const existing = peersBySocket.get(socketId)?.get(roomId);
      if (existing) await removePeer(entry, existing, null, false, true);
      // The same person joining from another tab or device takes the call over there.
      for (const other of [...room.peers.values()]) {
        const same = other.caller.role === caller.role && (caller.role === 'agent' ? other.caller.role === 'agent' && other.caller.agentId === caller.agentId : other.caller.role === 'visitor' && other.caller.visitorId === caller.visitorId);
        if (same) await removePeer(entry, other, 'left_elsewhere', false, true);
      }
      const peer = new Peer(randomUUID(), socketId, caller, emit);
      peer.maySpeak = maySpeak;
      room.peers.set(peer.id, peer);
      if (conversationId && !room.answered) {
        const roles = new Set([...room.peers.values()].map((p) => p.role));
        room.answered = roles.has('visitor') && roles.has('agent');
        // Ringing: nobody picks up (the other side declined, or is gone) → the call ends.
        if (!room.answered && !room.ringTimer) {
          room.ringTimer = setTimeout(() => {
            if (!room.closed && !room.answered) {
              log.info({ roomId }, 'call not answered');
              void closeRoom(roomId, 'ended');
            }
          }, deps.ringMs);
          room.ringTimer.unref();
        }
      }
      let mine = peersBySocket.get(socketId);
      if (!mine) peersBySocket.set(socketId, (mine = new Map()));
      mine.set(roomId, peer);
      // Whoever now serves the conversation joining a call held by a colleague who has gone takes it back.
      if (room.held && caller.role === 'agent' && conversationId) {
        const holderLeft = !room.others(peer).some((p) => p.role === 'agent');
        if (holderLeft) await room.setHeld(false);
      }
      room.broadcastFrom(peer, 'voice:peer:joined', { roomId, peer: peer.view() });
      log.info({ roomId, peerId: peer.id, role: caller.role, peers: room.peers.size }, 'joined voice room');
      pushCall(entry, roomId, visitorId);
      if (conversationId && starting) await hooks.callStarted(conversationId).catch((error: unknown) => log.error({ err: error, roomId }, 'could not record the start of a call'));
      return {
        roomId,
        peerId: peer.id,
        routerRtpCapabilities: room.router.rtpCapabilities as unknown as Record<string, unknown>,
        peers: room.others(peer).map((p) => p.view()),
        producers: room.producers(peer),
        call: conversationId ? callState(entry, conversationId) : null,
      };
    },

    async createTransport(socketId: string, roomId: VoiceRoomId, direction: 'send' | 'recv'): Promise<VoiceTransportOptions> {
      const { entry, peer } = peerOf(socketId, roomId);
      return entry.room.createTransport(peer, direction);
    },

    async connectTransport(socketId: string, roomId: VoiceRoomId, transportId: string, dtlsParameters: ms.DtlsParameters): Promise<void> {
      const { entry, peer } = peerOf(socketId, roomId);
      await entry.room.connectTransport(peer, transportId, dtlsParameters);
    },

    async produce(socketId: string, roomId: VoiceRoomId, transportId: string, rtpParameters: ms.RtpParameters): Promise<{ producerId: string }> {
      const { entry, peer } = peerOf(socketId, roomId);
      if (!peer.maySpeak) throw new RefusedError<CallRefusal>('muted', 'You are muted in the community: you can listen, not speak.');
      const producer = await entry.room.produce(peer, transportId, rtpParameters);
      entry.room.broadcastFrom(peer, 'voice:producer:added', { roomId, producerId: producer.id, peerId: peer.id });
      return { producerId: producer.id };
    },

    async consume(socketId: string, roomId: VoiceRoomId, producerId: string, rtpCapabilities: ms.RtpCapabilities): Promise<VoiceConsumerOptions> {
      const { entry, peer } = peerOf(socketId, roomId);
      return entry.room.consume(peer, producerId, rtpCapabilities);
    },

    async resumeConsumer(socketId: string, roomId: VoiceRoomId, consumerId: string): Promise<void> {
      const { entry, peer } = peerOf(socketId, roomId);
      await entry.room.resumeConsumer(peer, consumerId);
    },

    async mute(socketId: string, roomId: VoiceRoomId, muted: boolean): Promise<void> {
      const { entry, peer } = peerOf(socketId, roomId);
      if (!muted && (peer.silenced || !peer.maySpeak)) throw new RefusedError<CallRefusal>('muted', 'The team muted you in this room.');
      await entry.room.setMuted(peer, muted);
      entry.room.broadcastFrom(peer, 'voice:peer:muted', { roomId, peerId: peer.id, muted });
      pushCall(entry, roomId, entry.visitorId);
    },

    async leave(socketId: string, roomId: VoiceRoomId): Promise<void> {
      const peer = peersBySocket.get(socketId)?.get(roomId);
      const entry = rooms.get(roomId);
      if (peer && entry) await removePeer(entry, peer, null, true);
    },

    /** Staff in a community room silence a peer (or let them speak again). */
    async mutePeer(socketId: string, roomId: VoiceRoomId, peerId: string, muted: boolean): Promise<void> {
      const { entry, peer } = peerOf(socketId, roomId);
      if (voiceRoomIds.parse(roomId).kind !== 'community' || peer.role !== 'agent') throw new ForbiddenError('Only the team mutes others, in community rooms.');
      const target = entry.room.peers.get(peerId);
      if (!target) throw new NotFoundError('No such peer in this room.');
      target.silenced = muted;
      await entry.room.setMuted(target, muted);
      entry.room.broadcast('voice:peer:muted', { roomId, peerId, muted });
      log.info({ roomId, peerId, muted, by: peer.id }, muted ? 'community voice peer silenced' : 'community voice peer may speak again');
    },

    /**
     * A visitor muted in the community stops being heard in its voice room at once (and may
     * speak again when the mute is lifted): their producer is paused, nothing new is produced.
     */
    async setVisitorVoice(roomId: VoiceRoomId, visitorId: string, maySpeak: boolean): Promise<void> {
      const entry = rooms.get(roomId);
      if (!entry) return;
      for (const peer of entry.room.peers.values()) {
        if (peer.caller.role !== 'visitor' || peer.caller.visitorId !== visitorId) continue;
        peer.maySpeak = maySpeak;
        if (!maySpeak && !peer.muted) {
          await entry.room.setMuted(peer, true);
          entry.room.broadcast('voice:peer:muted', { roomId, peerId: peer.id, muted: true });
        }
      }
    },

    /** Ends a room now (staff closing a community room's voice): everyone in it is told. */
    async closeRoom(roomId: VoiceRoomId): Promise<void> {
      await closeRoom(roomId, 'ended');
    },

    /** The agent serving the conversation, in its call, holds the visitor or takes them back. */
    async hold(conversationId: string, agentId: number, socketId: string, held: boolean): Promise<CallState> {
      const roomId = voiceRoomIds.conversation(conversationId);
      const { entry, peer } = peerOf(socketId, roomId);
      if (peer.caller.role !== 'agent' || peer.caller.agentId !== agentId) throw new NotFoundError('You are not in this call.');
      // Serving it still? A transfer may have moved it since the join.
      await authorize(roomId, peer.caller);
      if (entry.room.held !== held) {
        await entry.room.setHeld(held);
        log.info({ roomId, agentId, held }, held ? 'call put on hold' : 'call taken back from hold');
      }
      pushCall(entry, roomId, entry.visitorId);
      return callState(entry, conversationId);
    },

    /** Is the room open on this node? */
    has(roomId: VoiceRoomId): boolean {
      return rooms.has(roomId) || opening.has(roomId);
    },

    /** The call state of a conversation (for a console or widget that (re)connects). */
    call(conversationId: string): CallState {
      return callState(rooms.get(voiceRoomIds.conversation(conversationId)), conversationId);
    },

    /** A socket went away: it leaves every room it was in. */
    async disconnected(socketId: string): Promise<void> {
      const mine = peersBySocket.get(socketId);
      if (!mine) return;
      for (const [roomId, peer] of [...mine]) {
        const entry = rooms.get(roomId);
        if (entry) await removePeer(entry, peer, null, false);
      }
      peersBySocket.delete(socketId);
    },

    /**
     * Something about a conversation changed (closed, transferred, requeued): whoever may no longer
     * be in its call is taken out; a closed conversation's call ends.
     */
    async recheck(conversationId: string): Promise<void> {
      const roomId = voiceRoomIds.conversation(conversationId);
      const entry = rooms.get(roomId);
      if (!entry) return;
      for (const peer of [...entry.room.peers.values()]) {
        const allowed = await access.conversation(conversationId, peer.caller);
        if (!allowed) await removePeer(entry, peer, peer.role === 'agent' ? 'transferred' : 'ended', false);
      }
    },

    /** Consult lines whose transfer ended (accepted, declined, withdrawn, expired) close. */
    async sweepConsults(): Promise<void> {
      for (const [roomId, entry] of [...rooms]) {
        const { kind, id } = voiceRoomIds.parse(roomId);
        if (kind !== 'consult') continue;
        const still = await Promise.all([...entry.room.peers.values()].map((p) => p.caller.role === 'agent' && access.consult(id, p.caller.agentId)));
        if (still.some((ok) => !ok)) await closeRoom(roomId, 'ended');
      }
    },

    /** Who is in a room and which of their consumers are paused (for tests and diagnostics). */
    inspect(roomId: VoiceRoomId): { held: boolean; peers: Array<{ peerId: string; role: string; producerPaused: boolean | null; consumers: Array<{ fromPeerId: string; paused: boolean }> }> } | null {
      const entry = rooms.get(roomId);
      if (!entry) return null;
      return {
        held: entry.room.held,
        peers: [...entry.room.peers.values()].map((p) => ({
          peerId: p.id,
          role: p.role,
          producerPaused: p.producer ? p.producer.paused : null,
          consumers: [...p.consumers.values()].map((c) => ({ fromPeerId: String(c.appData.producerPeerId), paused: c.paused })),
        })),
      };
    },

    /** Counts for leak checks and metrics. */
    stats(): { rooms: number; peers: number; transports: number; producers: number; consumers: number } {
      let peers = 0;
      let transports = 0;
      let producers = 0;
      let consumers = 0;
      for (const { room } of rooms.values()) {
        for (const peer of room.peers.values()) {
          peers++;
          transports += peer.transports.size;
          producers += peer.producer ? 1 : 0;
          consumers += peer.consumers.size;
        }
      }
      return { rooms: rooms.size, peers, transports, producers, consumers };
    },

    async close(): Promise<void> {
      for (const roomId of [...rooms.keys()]) await closeRoom(roomId, 'unavailable');
      shuttingDown = true;
      await Promise.all(recording);
      await pool.close();
    },
  };
}

export type VoiceService = ReturnType<typeof createVoiceService>;
