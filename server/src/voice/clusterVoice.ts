import type { RedisClientType } from 'redis';
import type { ErrorCode } from '../../../shared/errors.js';
import type { CallState, VoiceRoomId } from '../../../shared/schemas/voice.js';
import { voiceRoomIds } from '../../../shared/schemas/voice.js';
import { AppError, UnavailableError } from '../errors/errors.js';
import type { Logger } from '../log/logger.js';
import type { PeerEmit, VoiceCaller } from './peer.js';
import type { VoiceService } from './voiceService.js';

export type VoiceNamespace = 'visitor' | 'agent' | 'community';

/**
 * The voice operations the namespaces use. A room's media lives in one node's worker, so in a
 * cluster every operation on a room runs on the node that owns it; `join` names the caller's
 * namespace instead of passing a function, so the owner can reach the socket through the adapter.
 */
export interface VoiceOps {
  join(roomId: VoiceRoomId, caller: VoiceCaller, socketId: string, ns: VoiceNamespace): ReturnType<VoiceService['join']>;
  createTransport: VoiceService['createTransport'];
  connectTransport: VoiceService['connectTransport'];
  produce: VoiceService['produce'];
  consume: VoiceService['consume'];
  resumeConsumer: VoiceService['resumeConsumer'];
  mute: VoiceService['mute'];
  leave: VoiceService['leave'];
  hold: VoiceService['hold'];
  mutePeer: VoiceService['mutePeer'];
  /** Ends a room wherever it is (staff closing a community room's voice). */
  closeRoom(roomId: VoiceRoomId): Promise<void>;
  setVisitorVoice: VoiceService['setVisitorVoice'];
  disconnected(socketId: string): Promise<void>;
  recheck(conversationId: string): Promise<void>;
  /** The call of a conversation, wherever its room is (for a console that reconnects mid-call). */
  call(conversationId: string): Promise<CallState>;
}

type EmitTo = (ns: VoiceNamespace, socketId: string) => PeerEmit;

/** One node: everything is local. */
export function localVoice(local: VoiceService, emitTo: EmitTo): VoiceOps {
  return {
    join: (roomId, caller, socketId, ns) => local.join(roomId, caller, socketId, emitTo(ns, socketId)),
    createTransport: local.createTransport,
    connectTransport: local.connectTransport,
    produce: local.produce,
    consume: local.consume,
    resumeConsumer: local.resumeConsumer,
    mute: local.mute,
    leave: local.leave,
    hold: local.hold,
    mutePeer: local.mutePeer,
    closeRoom: local.closeRoom,
    setVisitorVoice: local.setVisitorVoice,
    disconnected: local.disconnected,
    recheck: local.recheck,
    call: async (conversationId) => local.call(conversationId),
  };
}

/** How the adapter carries a request to the owner and its answer back. */
export interface ServerSideRpc {
  /** Sends to every other node; resolves with their answers (null from the nodes it was not for). */
  call(message: RpcRequest): Promise<unknown[]>;
  /** Handles requests from other nodes. */
  serve(handler: (message: RpcRequest) => Promise<RpcAnswer | null>): void;
}

export interface RpcRequest {
  target: string;
  op: keyof VoiceOps;
  args: unknown[];
}

type RpcAnswer = { ok: true; value: unknown } | { ok: false; error: { code: ErrorCode; message: string; status: number; body: Record<string, unknown> } };

/** An error raised on the owner node, re-raised here with the same body for the client. */
class RemoteError extends AppError {
  constructor(private readonly body: RpcAnswer & { ok: false }) {
    super(body.error.code, body.error.message, body.error.status);
  }

  override toBody() {
    return { ...(this.body.error.body as unknown as ReturnType<AppError['toBody']>) };
  }
}

const OWNER_TTL_S = 60;

/**
 * Cluster: a room belongs to the node where it was opened (a Redis key, refreshed while the room
 * lives). Operations on someone else's room travel to the owner over the adapter's server-side
 * emit; the owner reaches the caller's socket through the adapter as well. A node that no longer
 * answers loses its rooms: the next join takes the room over (its media went with the node).
 */
export function clusterVoice(opts: { local: VoiceService; emitTo: EmitTo; redis: RedisClientType; prefix: string; nodeId: string; rpc: ServerSideRpc; log: Logger }): VoiceOps & { roomClosed(roomId: VoiceRoomId): void; stop(): void } {
  const { local, redis, nodeId, rpc, log } = opts;
  const key = (roomId: VoiceRoomId) => `${opts.prefix}voice:room:${roomId}`;
  const ownedHere = new Set<VoiceRoomId>();
  /** Rooms this node's sockets are in on other nodes: socketId → roomId → owner. */
  const remote = new Map<string, Map<VoiceRoomId, string>>();

  const run = async (request: RpcRequest): Promise<unknown> => {
    const [first] = request.args;
    switch (request.op) {
      case 'join': {
        const [roomId, caller, socketId, ns] = request.args as Parameters<VoiceOps['join']>;
        return local.join(roomId, caller, socketId, opts.emitTo(ns, socketId));
      }
      case 'disconnected':
        return local.disconnected(first as string);
      case 'recheck':
        return local.recheck(first as string);
      case 'call':
        return local.call(first as string);
      case 'closeRoom':
        return local.closeRoom(first as VoiceRoomId);
      case 'setVisitorVoice':
        return local.setVisitorVoice(...(request.args as Parameters<VoiceService['setVisitorVoice']>));
      default:
        return (local[request.op] as (...args: unknown[]) => Promise<unknown>)(...request.args);
    }
  };

  rpc.serve(async (request) => {
    if (request.target !== nodeId) return null;
    try {
      return { ok: true, value: (await run(request)) ?? null };
    } catch (error) {
      if (error instanceof AppError) return { ok: false, error: { code: error.code, message: error.message, status: error.httpStatus, body: { ...error.toBody() } } };
      log.error({ err: error, op: request.op }, 'voice request from another node failed');
      return { ok: false, error: { code: 'INTERNAL', message: 'Internal error.', status: 500, body: { code: 'INTERNAL', message: 'Internal error.' } } };
    }
  });

  async function forward<T>(owner: string, op: keyof VoiceOps, args: unknown[]): Promise<T> {
    let answers: unknown[];
    try {
      answers = await rpc.call({ target: owner, op, args });
    } catch (error) {
      log.warn({ err: error, owner, op }, 'the node owning a voice room did not answer');
      throw new UnavailableError('The call’s server does not answer; try again.');
    }
    const answer = answers.find((a): a is RpcAnswer => a !== null && typeof a === 'object');
    if (!answer) throw new UnavailableError('The call’s server is gone; start the call again.');
    if (!answer.ok) throw new RemoteError(answer);
    return answer.value as T;
  }

  /** Claims the room for this node unless another node has it; returns the owner. */
  async function ownerFor(roomId: VoiceRoomId, claim: boolean): Promise<string | null> {
    if (ownedHere.has(roomId)) return nodeId;
    if (claim) {
      const set = await redis.set(key(roomId), nodeId, { NX: true, EX: OWNER_TTL_S });
      if (set === 'OK') {
        ownedHere.add(roomId);
        return nodeId;
      }
    }
    return redis.get(key(roomId));
  }

  /** Deletes the key only while it still names `owner`: never someone else's newer claim. */
  const deleteIfOwner = (roomId: VoiceRoomId, owner: string) =>
    redis.eval(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`, { keys: [key(roomId)], arguments: [owner] });

  function release(roomId: VoiceRoomId): void {
    if (!ownedHere.delete(roomId)) return;
    deleteIfOwner(roomId, nodeId).catch((error: unknown) => log.warn({ err: error, roomId }, 'could not release a voice room'));
  }

  const ownerOfSocket = (socketId: string, roomId: VoiceRoomId) => remote.get(socketId)?.get(roomId) ?? nodeId;

  const onRoom = <A extends unknown[], R>(op: keyof VoiceOps, fn: (socketId: string, roomId: VoiceRoomId, ...rest: A) => Promise<R>) =>
    (socketId: string, roomId: VoiceRoomId, ...rest: A): Promise<R> => {
      const owner = ownerOfSocket(socketId, roomId);
      return owner === nodeId ? fn(socketId, roomId, ...rest) : forward<R>(owner, op, [socketId, roomId, ...rest]);
    };

  const refresh = setInterval(() => {
    for (const roomId of ownedHere) redis.expire(key(roomId), OWNER_TTL_S).catch((error: unknown) => log.warn({ err: error, roomId }, 'could not refresh a voice room’s owner'));
  }, (OWNER_TTL_S * 1000) / 3);
  refresh.unref();

  return {
    async join(roomId, caller, socketId, ns) {
      let owner = await ownerFor(roomId, true);
      if (owner && owner !== nodeId) {
        try {
          const joined = await forward<Awaited<ReturnType<VoiceOps['join']>>>(owner, 'join', [roomId, caller, socketId, ns]);
          let mine = remote.get(socketId);
          if (!mine) remote.set(socketId, (mine = new Map()));
          mine.set(roomId, owner);
          return joined;
        } catch (error) {
          if (!(error instanceof UnavailableError)) throw error;
          // The owner is gone and its media with it: take the room over here.
          await deleteIfOwner(roomId, owner);
          owner = await ownerFor(roomId, true);
          if (owner !== nodeId) throw error;
        }
      }
      ownedHere.add(roomId);
      try {
        return await local.join(roomId, caller, socketId, opts.emitTo(ns, socketId));
      } catch (error) {
        // Refused before the room opened: the claim must not outlive it.
        if (!local.has(roomId)) release(roomId);
        throw error;
      }
    },
    createTransport: onRoom('createTransport', local.createTransport),
    connectTransport: onRoom('connectTransport', local.connectTransport),
    produce: onRoom('produce', local.produce),
    consume: onRoom('consume', local.consume),
    resumeConsumer: onRoom('resumeConsumer', local.resumeConsumer),
    mute: onRoom('mute', local.mute),
    mutePeer: onRoom('mutePeer', local.mutePeer),
    async setVisitorVoice(roomId, visitorId, maySpeak) {
      const owner = await ownerFor(roomId, false);
      if (!owner) return;
      if (owner === nodeId) await local.setVisitorVoice(roomId, visitorId, maySpeak);
      else await forward(owner, 'setVisitorVoice', [roomId, visitorId, maySpeak]);
    },
    async closeRoom(roomId) {
      const owner = await ownerFor(roomId, false);
      if (!owner) return;
      if (owner === nodeId) await local.closeRoom(roomId);
      else await forward(owner, 'closeRoom', [roomId]);
    },
    async leave(socketId, roomId) {
      const owner = ownerOfSocket(socketId, roomId);
      remote.get(socketId)?.delete(roomId);
      return owner === nodeId ? local.leave(socketId, roomId) : forward(owner, 'leave', [socketId, roomId]);
    },
    hold(conversationId, agentId, socketId, held) {
      const owner = ownerOfSocket(socketId, voiceRoomIds.conversation(conversationId));
      return owner === nodeId ? local.hold(conversationId, agentId, socketId, held) : forward(owner, 'hold', [conversationId, agentId, socketId, held]);
    },
    async disconnected(socketId) {
      const elsewhere = remote.get(socketId);
      remote.delete(socketId);
      await local.disconnected(socketId);
      for (const owner of new Set(elsewhere?.values() ?? [])) {
        await forward(owner, 'disconnected', [socketId]).catch((error: unknown) => log.warn({ err: error, owner }, 'could not tell the owner of a voice room that a socket left'));
      }
    },
    async recheck(conversationId) {
      const roomId = voiceRoomIds.conversation(conversationId);
      const owner = await ownerFor(roomId, false);
      if (!owner) return;
      if (owner === nodeId) await local.recheck(conversationId);
      else await forward(owner, 'recheck', [conversationId]);
    },
    async call(conversationId) {
      const owner = await ownerFor(voiceRoomIds.conversation(conversationId), false);
      return !owner || owner === nodeId ? local.call(conversationId) : forward<CallState>(owner, 'call', [conversationId]);
    },
    roomClosed: release,
    stop() {
      clearInterval(refresh);
    },
  };
}
