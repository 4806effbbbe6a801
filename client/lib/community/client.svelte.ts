import type { Socket } from 'socket.io-client';
import type { CommunityClientToServer, CommunityServerToClient } from '../../../shared/events/community.js';
import type { CommunityJoined, CommunityMe, CommunityMessage, CommunityRoom } from '../../../shared/schemas/community.js';
import type { TicketCreated } from '../../../shared/schemas/tickets.js';
import { ConnectionTracker } from '../connection.svelte.js';
import type { ClientAck, ClientError } from '../errors.js';
import { ask, connectSocket } from '../socket.js';
import { COMMUNITY_NAMESPACE } from './limits.js';
import { mergeById, replaceIn } from './merge.js';
import { CommunityVoice } from './voice.svelte.js';
import { stripUnsafeText } from '../../../shared/schemas/safeText.js';

export type CommunitySocket = Socket<CommunityServerToClient, CommunityClientToServer>;
export type CommunityPhase = 'connecting' | 'ready' | 'failed' | 'banned';

/** A sanction the person learnt about (from a refused post or the `community:sanctioned` push). */
export type CommunityNotice =
  | { kind: 'mute' | 'ban'; until: string | null; reason: string | null }
  | { kind: 'lifted' };

export interface CommunityThread {
  message: CommunityMessage;
  replies: CommunityMessage[];
}

export interface CommunityConnectOptions {
  /** Where the server is; '' for the page's own origin. */
  origin?: string;
  /** Visitors: their token, asked on every (re)connect so a renewed one is used. Staff: omitted (cookie). */
  token?: () => string | undefined;
  /** Visitors: renew the token after an UNAUTHENTICATED refusal; false when that failed. */
  renew?: () => Promise<boolean>;
}

const notConnected: ClientAck<never> = { ok: false, error: { code: 'NETWORK', message: 'not connected' } };

function isBanRefusal(error: ClientError): boolean {
  return error.code === 'FORBIDDEN' || error.reason === 'banned';
}

/**
 * One connection to /community, for visitors (token) and staff (cookie) alike: rooms, the room
 * you are in (top-level messages, pinned, presence), the open thread, and your own standing.
 * Reconnects rejoin the room and the thread, so nothing said meanwhile is missed.
 */
export class CommunityClient {
  phase = $state<CommunityPhase>('connecting');
  loadError = $state<ClientError | null>(null);
  rooms = $state<CommunityRoom[]>([]);
  me = $state<CommunityMe | null>(null);
  room = $state<CommunityRoom | null>(null);
  /** Top-level messages of the room, oldest first. */
  messages = $state<CommunityMessage[]>([]);
  pinned = $state<CommunityMessage[]>([]);
  present = $state(0);
  more = $state(false);
  loadingOlder = $state(false);
  thread = $state<CommunityThread | null>(null);
  threadError = $state<ClientError | null>(null);
  notice = $state<CommunityNotice | null>(null);
  readonly connection = new ConnectionTracker();
  /** Ids of what this connection posted: "new messages" hints count only others' posts. */
  readonly ownIds = new Set<number>();
  readonly socket: CommunitySocket;
  /** Your seat in the open voice room of the room you are in. */
  readonly voice: CommunityVoice;
  readonly #renew: (() => Promise<boolean>) | undefined;
  #joining = 0;
  /** Token renewals since the last connect: a server that keeps refusing must not be hammered. */
  #renewals = 0;

  constructor(options: CommunityConnectOptions = {}) {
    const token = options.token;
    this.#renew = options.renew;
    this.socket = connectSocket<CommunityServerToClient, CommunityClientToServer>((options.origin ?? '') + COMMUNITY_NAMESPACE, {
      autoConnect: false,
      ...(token ? { auth: (cb: (data: object) => void) => cb({ token: token() }) } : { withCredentials: true }),
    });
    this.connection.attach(this.socket);
    this.voice = new CommunityVoice(this);
    this.#bind();
  }

  start(): void {
    this.socket.connect();
  }

  dispose(): void {
    void this.voice.leave();
    this.socket.disconnect();
  }

  /**
   * Staff always; visitors once they have a name. A muted visitor keeps the composer: the server
   * decides (clocks differ), and its refusal shows the notice with the time.
   */
  get canPost(): boolean {
    const me = this.me;
    if (!me || this.phase === 'banned') return false;
    return me.staff || me.displayName !== null;
  }

  get mutedNow(): boolean {
    const until = this.me?.muted;
    return until != null && new Date(until).getTime() > Date.now();
  }

  async refreshRooms(): Promise<ClientAck<{ rooms: CommunityRoom[]; me: CommunityMe }>> {
    const result = await ask(this.socket, 'community:rooms', {});
    if (result.ok) {
      this.rooms = result.data.rooms;
      this.me = result.data.me;
    }
    return result;
  }

  async setName(displayName: string): Promise<ClientAck<{ me: CommunityMe }>> {
    if (!this.socket.connected) return notConnected;
    const result = await ask(this.socket, 'community:profile', { displayName });
    if (result.ok) this.me = result.data.me;
    return result;
  }

  async join(roomId: number): Promise<ClientAck<CommunityJoined>> {
    if (!this.socket.connected) return notConnected;
    const ticket = ++this.#joining;
    const result = await ask(this.socket, 'community:join', { roomId });
    // A later join (another room chosen meanwhile) wins.
    if (ticket !== this.#joining) return result;
    if (result.ok) {
      const sameRoom = this.room?.id === result.data.room.id;
      this.#adoptJoined(result.data, sameRoom);
      if (!sameRoom) this.thread = null;
      // Another room: its voice room is not the one we were in.
      const voiceRoom = this.voice.roomId;
      if (voiceRoom !== null && voiceRoom !== result.data.room.id) {
        void this.voice.leave();
        this.voice.reset();
      }
    } else {
      this.#noteRefusal(result.error);
    }
    return result;
  }

  async leave(): Promise<void> {
    const room = this.room;
    this.#joining++;
    await this.voice.leave();
    this.voice.reset();
    this.room = null;
    this.messages = [];
    this.pinned = [];
    this.thread = null;
    this.present = 0;
    if (room && this.socket.connected) await ask(this.socket, 'community:leave', { roomId: room.id });
  }

  async loadOlder(): Promise<void> {
    const room = this.room;
    const oldest = this.messages[0];
    if (!room || !this.more || this.loadingOlder) return;
    this.loadingOlder = true;
    const result = await ask(this.socket, 'community:history', { roomId: room.id, ...(oldest ? { beforeId: oldest.id } : {}) });
    this.loadingOlder = false;
    if (!result.ok || this.room?.id !== room.id) return;
    this.messages = mergeById(this.messages, result.data.messages);
    this.more = result.data.more;
  }

  async openThread(messageId: number): Promise<void> {
    this.threadError = null;
    const result = await ask(this.socket, 'community:thread', { messageId });
    if (result.ok) this.thread = { message: result.data.message, replies: mergeById([], result.data.replies) };
    else this.threadError = result.error;
  }

  /** A link to a thread (e.g. the one the agent got with "ask an agent"): its room, then the thread. */
  async openThreadLink(messageId: number): Promise<void> {
    const result = await ask(this.socket, 'community:thread', { messageId });
    if (!result.ok) {
      this.threadError = result.error;
      return;
    }
    if (this.room?.id !== result.data.message.roomId) await this.join(result.data.message.roomId);
    if (this.room?.id === result.data.message.roomId) this.thread = { message: result.data.message, replies: mergeById([], result.data.replies) };
  }

  closeThread(): void {
    this.thread = null;
    this.threadError = null;
  }

  /** `clientId` stays the same when the person retries one message: the server drops duplicates. */
  async post(text: string, clientId: string, parentId?: number): Promise<ClientAck<{ message: CommunityMessage; duplicate: boolean }>> {
    const room = this.room;
    if (!room || !this.socket.connected) return notConnected;
    const result = await ask(this.socket, 'community:post', { roomId: room.id, clientId, text: stripUnsafeText(text), ...(parentId ? { parentId } : {}) });
    if (result.ok) {
      this.ownIds.add(result.data.message.id);
      this.#receive(result.data.message);
    } else {
      this.#noteRefusal(result.error);
    }
    return result;
  }

  async report(messageId: number, reason: string): Promise<ClientAck<Record<string, never>>> {
    if (!this.socket.connected) return notConnected;
    return ask(this.socket, 'community:report', { messageId, ...(reason.trim() ? { reason: reason.trim() } : {}) });
  }

  /** Visitors: a private chat about a thread (or a ticket when nobody can take it). */
  async askAgent(input: { messageId: number; clientId: string; departmentId: number; language: string; text: string }): Promise<ClientAck<{ ticket: TicketCreated | null }>> {
    if (!this.socket.connected) return notConnected;
    const { text, ...rest } = input;
    return ask(this.socket, 'community:ask-agent', { ...rest, ...(text.trim() ? { text: text.trim() } : {}) });
  }

  /** A room changed (its voice opened or closed): keep the list and the open room current. */
  applyRoom(room: CommunityRoom): void {
    this.rooms = this.rooms.map((entry) => (entry.id === room.id ? room : entry));
    if (this.room?.id === room.id) this.room = room;
    // Opened or closed again: what ended the last visit to its voice room is old news.
    if (this.voice.roomId === room.id) this.voice.reset();
  }

  /** Takes in a message a moderation ack returned (the push may come later or not at all). */
  apply(message: CommunityMessage): void {
    this.#update(message);
  }

  #bind(): void {
    const socket = this.socket;
    socket.on('connect', () => {
      this.#renewals = 0;
      void this.#onConnect();
    });
    socket.on('connect_error', (error) => void this.#onConnectError(error));
    socket.on('disconnect', (reason) => {
      // The server took us out of the voice room with the connection.
      this.voice.drop();
      // A ban ends the connection on purpose: do not knock again.
      if (reason === 'io server disconnect' && this.phase !== 'banned') setTimeout(() => socket.connect(), 1_000);
    });
    socket.on('community:message', (message) => this.#receive(message));
    socket.on('community:updated', (message) => this.#update(message));
    socket.on('community:room', (room) => this.applyRoom(room));
    socket.on('community:presence', (presence) => {
      if (presence.roomId === this.room?.id) this.present = presence.present;
    });
    socket.on('community:sanctioned', (sanction) => {
      const { kind, reason, ...me } = sanction;
      this.me = me;
      this.notice = kind === null ? { kind: 'lifted' } : { kind, until: me.muted, reason };
      if (kind === 'ban') this.phase = 'banned';
    });
  }

  async #onConnect(): Promise<void> {
    const result = await this.refreshRooms();
    if (!result.ok) {
      if (isBanRefusal(result.error)) this.#banned(null);
      else {
        this.loadError = result.error;
        this.phase = 'failed';
      }
      return;
    }
    this.loadError = null;
    this.phase = 'ready';
    // Muted before this visit: say so at once rather than on the first refused post.
    if (this.mutedNow && !this.notice) this.notice = { kind: 'mute', until: this.me?.muted ?? null, reason: null };
    // Back after a drop: take up where we were and fetch what was said meanwhile.
    const room = this.room;
    if (room) await this.join(room.id);
    const thread = this.thread;
    if (thread && this.room) await this.openThread(thread.message.id);
  }

  async #onConnectError(error: Error): Promise<void> {
    if (this.socket.active) return; // transport trouble: socket.io retries by itself
    // A ban is refused at the door, with until when in the error's data.
    const data = (error as Error & { data?: { reason?: string; until?: string } }).data;
    if (error.message === 'FORBIDDEN' || data?.reason === 'banned') {
      this.#banned(typeof data?.until === 'string' ? data.until : null);
      return;
    }
    if (error.message === 'UNAUTHENTICATED' && this.#renew && this.#renewals++ < 3) {
      if (await this.#renew()) this.socket.connect();
      else {
        this.loadError = { code: 'UNAUTHENTICATED', message: error.message };
        this.phase = 'failed';
      }
      return;
    }
    if (this.phase === 'connecting') {
      this.loadError = { code: error.message === 'UNAUTHENTICATED' ? 'UNAUTHENTICATED' : 'UNAVAILABLE', message: error.message };
    }
    setTimeout(() => this.socket.connect(), 5_000);
  }

  #banned(until: string | null): void {
    this.phase = 'banned';
    if (this.notice?.kind !== 'ban') this.notice = { kind: 'ban', until, reason: null };
  }

  /** Muted or banned by a refused action: show it, and learn until when. */
  #noteRefusal(error: ClientError): void {
    if (error.code !== 'CONFLICT' && error.code !== 'FORBIDDEN') return;
    if (error.reason === 'muted') {
      this.notice = { kind: 'mute', until: this.me?.muted ?? null, reason: null };
      void this.refreshRooms().then((result) => {
        if (result.ok && this.notice?.kind === 'mute') this.notice = { ...this.notice, until: result.data.me.muted };
      });
    } else if (error.reason === 'banned') {
      this.#banned(this.me?.muted ?? null);
    }
  }

  #adoptJoined(joined: CommunityJoined, sameRoom: boolean): void {
    const newest = this.messages[this.messages.length - 1];
    const first = joined.messages[0];
    // More was said while away than one page holds: start again from the newest page.
    const gap = !sameRoom || !newest || (joined.more && first !== undefined && first.id > newest.id);
    this.room = joined.room;
    this.messages = gap ? mergeById([], joined.messages) : mergeById(this.messages, joined.messages);
    this.more = gap ? joined.more : this.more;
    this.pinned = joined.pinned;
    this.present = joined.present;
    this.me = joined.me;
  }

  #receive(message: CommunityMessage): void {
    if (message.roomId !== this.room?.id) return;
    if (message.parentId === null) this.messages = mergeById(this.messages, [message]);
    else if (message.parentId === this.thread?.message.id) this.thread.replies = mergeById(this.thread.replies, [message]);
    if (message.pinned) this.pinned = mergeById(this.pinned, [message]);
  }

  #update(message: CommunityMessage): void {
    if (message.roomId !== this.room?.id) return;
    this.messages = replaceIn(this.messages, message);
    const thread = this.thread;
    if (thread) {
      if (thread.message.id === message.id) thread.message = message;
      else if (message.parentId === thread.message.id) thread.replies = mergeById(thread.replies, [message]);
    }
    this.pinned = message.pinned && !message.deleted ? mergeById(this.pinned, [message]) : this.pinned.filter((entry) => entry.id !== message.id);
  }
}
