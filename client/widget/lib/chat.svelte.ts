import type { Socket } from 'socket.io-client';
import type { VisitorClientToServer, VisitorServerToClient } from '../../../shared/events/visitor.js';
import type { Conversation, ConversationStart, Message } from '../../../shared/schemas/chat.js';
import type { QueueStatus } from '../../../shared/schemas/routing.js';
import type { TicketCreated, WaitExceeded } from '../../../shared/schemas/tickets.js';
import { ConnectionTracker } from '../../lib/connection.svelte.js';
import { notConnected, type ClientAck, type ClientError } from '../../lib/errors.js';
import { newClientId } from '../../lib/ids.js';
import { Outbox, type OutboxEntry } from '../../lib/outbox.js';
import { ask, connectSocket } from '../../lib/socket.js';
import { highestId, mergeMessages } from './messages.js';
import { openVisitorSession, readStoredToken, storeToken } from './visitor-api.js';
import { stripUnsafeText } from '../../../shared/schemas/safeText.js';

/** Mirrors VISITOR_NAMESPACE in shared/events/visitor.ts (a value import would pull in zod). */
const VISITOR_NAMESPACE = '/visitor';
/** Token refreshes in a row before we stop and wait (guards against a refresh loop). */
const MAX_AUTH_REFRESHES = 3;
/** "Typing" is sent at most this often while the visitor keeps typing. */
const TYPING_THROTTLE_MS = 2_000;
/** After this long without input the visitor no longer counts as typing. */
const TYPING_IDLE_MS = 3_000;
/** The agent's typing indicator hides when no update came for this long (updates are volatile). */
const AGENT_TYPING_TIMEOUT_MS = 6_000;

export type VisitorSocket = Socket<VisitorServerToClient, VisitorClientToServer>;
type Timer = ReturnType<typeof setTimeout> | undefined;

export type ChatPhase = 'loading' | 'failed' | 'prechat' | 'chat';

/** A message the visitor wrote that the server has not confirmed yet. */
export interface OutboxItem extends OutboxEntry {
  text: string;
}

/** A file the visitor is sending (REST upload, see ./upload.ts). */
export interface UploadItem {
  clientId: string;
  file: File;
  /** 0-100. */
  progress: number;
  status: 'uploading' | 'failed';
  error: ClientError | null;
}

/** What the visitor entered in the pre-chat form, to prefill a new conversation and the transcript. */
export interface VisitorDetails {
  name: string;
  email: string;
}

/**
 * The visitor side of one chat: token, socket, conversation, messages and the outbox.
 * Every outgoing message carries a client id that stays the same across re-sends, so the server
 * can drop duplicates; confirmed messages are kept by server id, which also orders them.
 */
export class VisitorChat {
  phase = $state<ChatPhase>('loading');
  loadError = $state<ClientError | null>(null);
  conversation = $state<Conversation | null>(null);
  messages = $state<Message[]>([]);
  outbox = $state<OutboxItem[]>([]);
  uploads = $state<UploadItem[]>([]);
  /** Position and estimate while queued; null otherwise (or when the server gave none). */
  queue = $state<QueueStatus | null>(null);
  agentTyping = $state(false);
  details = $state<VisitorDetails>({ name: '', email: '' });
  /** The ticket last made for the visitor (ack or push): the widget shows it (views in lib/tickets.svelte.ts). */
  created = $state<TicketCreated | null>(null);
  /** The department's maximum wait has passed for the waiting chat: offer the choices. */
  waitExceeded = $state<WaitExceeded | null>(null);
  readonly connection = new ConnectionTracker();
  readonly origin: string;

  #socket: VisitorSocket | null = null;
  #token: string | undefined;
  #resumed = false;
  #authRefreshes = 0;
  /** Messages on their way: re-sent after a lost ack, flushed on every connect (lib/outbox.ts). */
  readonly #outbox = new Outbox<OutboxItem, { message: Message }>(
    { get: () => this.outbox, set: (items) => (this.outbox = items) },
    {
      send: (item) => {
        const socket = this.#socket;
        const conversation = this.conversation;
        return socket?.connected && conversation
          ? ask(socket, 'message:send', { conversationId: conversation.id, clientId: item.clientId, text: stripUnsafeText(item.text) })
          : null;
      },
      sent: (_item, data) => this.#receive([data.message]),
    },
  );
  #typingOn = false;
  #typingSentAt = 0;
  #typingIdle: Timer;
  #agentTypingTimer: Timer;
  #readSent = 0;

  constructor(origin: string) {
    this.origin = origin;
  }

  /** The visitor token, for REST calls (attachments). */
  get token(): string | undefined {
    return this.#token;
  }

  /** For the views loaded on demand (tickets), which bring their own events. */
  get socket(): VisitorSocket | null {
    return this.#socket;
  }

  /** A ticket was made (ack or push): the waiting chat it came from has ended. */
  ticketCreated(created: TicketCreated): void {
    this.created = created;
    const c = this.conversation;
    if (c?.id === created.ticket.conversationId && c.status !== 'closed') this.#adopt({ ...c, status: 'closed', closedAt: created.ticket.createdAt, closedBy: 'system' }, null);
  }

  /** Gets or renews the visitor token, then connects; the first connect restores the conversation. */
  async load(): Promise<void> {
    this.phase = 'loading';
    this.loadError = null;
    const session = await this.#refreshToken(readStoredToken());
    if (!session.ok) {
      this.loadError = session.error;
      this.phase = 'failed';
      return;
    }
    if (this.#socket) this.#socket.connect();
    else this.#connect();
  }

  /** Starts a conversation from the pre-chat form; `clientId` is reused when the visitor retries. */
  async startConversation(input: ConversationStart): Promise<ClientAck<unknown>> {
    const socket = this.#socket;
    if (!socket) return notConnected();
    const result = await ask(socket, 'conversation:start', { ...input, text: stripUnsafeText(input.text), name: stripUnsafeText(input.name) });
    if (result.ok) {
      this.details = { name: input.name, email: input.email ?? '' };
      this.#adopt(result.data.conversation, result.data.queue ?? null);
      this.messages = mergeMessages([], [result.data.message]);
      this.#outbox.drop(() => true);
      this.phase = 'chat';
      // Closed or nobody online: the start became a ticket at once.
      if (result.data.ticket) this.ticketCreated(result.data.ticket);
    }
    return result;
  }

  send(text: string): void {
    this.stopTyping();
    this.#outbox.add({ text });
  }

  retry(clientId: string): void {
    this.#outbox.retry(clientId);
  }

  /** Call on every input in the composer: sends "typing" (throttled) and "stopped" after a pause. */
  noteTyping(): void {
    if (!this.#openConversationId()) return;
    if (!this.#typingOn || Date.now() - this.#typingSentAt >= TYPING_THROTTLE_MS) this.#emitTyping(true);
    clearTimeout(this.#typingIdle);
    this.#typingIdle = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  stopTyping(): void {
    clearTimeout(this.#typingIdle);
    if (this.#typingOn) this.#emitTyping(false);
  }

  /** Tells the server the visitor has seen everything from agents and the system so far. */
  markRead(): void {
    const socket = this.#socket;
    const conversation = this.conversation;
    if (!socket?.connected || !conversation) return;
    const upToId = highestId(this.messages.filter((message) => message.senderType !== 'visitor'));
    if (upToId <= this.#readSent) return;
    this.#readSent = upToId;
    void ask(socket, 'message:read', { conversationId: conversation.id, upToId }).then((result) => {
      if (!result.ok && this.#readSent === upToId) this.#readSent = 0; // try again on the next change
    });
  }

  /** The visitor ends the conversation. */
  async end(): Promise<ClientAck<unknown>> {
    const socket = this.#socket;
    const conversation = this.conversation;
    if (!socket || !conversation) return notConnected();
    this.stopTyping();
    const result = await ask(socket, 'conversation:end', { conversationId: conversation.id });
    if (result.ok) this.#adopt(result.data.conversation, null);
    return result;
  }

  /** Asks for the transcript by e-mail; without `email` the server uses the one it knows. */
  async requestTranscript(email: string): Promise<ClientAck<{ requested: true; email: string; mailQueued: boolean }>> {
    const socket = this.#socket;
    const conversation = this.conversation;
    if (!socket || !conversation) return notConnected();
    return ask(socket, 'transcript:request', { conversationId: conversation.id, ...(email ? { email } : {}) });
  }

  /** Sends a file; the upload code loads on first use. */
  attach(file: File): void {
    if (!this.#openConversationId()) return;
    this.uploads.push({ clientId: newClientId(), file, progress: 0, status: 'uploading', error: null });
    void this.retryUpload(this.uploads[this.uploads.length - 1]!.clientId);
  }

  async retryUpload(clientId: string): Promise<void> {
    const { uploadAttachment } = await import('./upload.js');
    const item = this.uploads.find((entry) => entry.clientId === clientId);
    const conversationId = this.#openConversationId();
    if (!item || !conversationId) return;
    item.status = 'uploading';
    item.error = null;
    item.progress = 0;
    const result = await uploadAttachment(this.origin, this.#token, conversationId, item.clientId, item.file, (percent) => {
      item.progress = percent;
    });
    if (result.ok) {
      this.#receive([result.data.message]);
      this.discardUpload(clientId);
    } else {
      item.status = 'failed';
      item.error = result.error;
    }
  }

  discardUpload(clientId: string): void {
    this.uploads = this.uploads.filter((entry) => entry.clientId !== clientId);
  }

  /** After a closed conversation: back to the pre-chat form. */
  startOver(): void {
    this.#adopt(null, null);
    this.messages = [];
    this.#outbox.drop(() => true);
    this.uploads = [];
    this.created = null;
    this.phase = 'prechat';
  }

  dispose(): void {
    clearTimeout(this.#typingIdle);
    clearTimeout(this.#agentTypingTimer);
    this.#outbox.dispose();
    this.#socket?.disconnect();
    this.#socket = null;
  }

  #connect(): void {
    const socket: VisitorSocket = connectSocket<VisitorServerToClient, VisitorClientToServer>(this.origin + VISITOR_NAMESPACE, {
      // A function so every reconnect presents the current (possibly renewed) token.
      auth: (cb) => cb({ token: this.#token }),
    });
    this.#socket = socket;
    this.connection.attach(socket);

    socket.on('connect', () => {
      this.#authRefreshes = 0;
      void this.#onConnected();
    });
    socket.on('connect_error', (error) => void this.#onConnectError(error));
    socket.on('disconnect', (reason) => {
      this.#typingOn = false;
      // The server closed us on purpose (e.g. token revoked): socket.io will not retry by itself.
      if (reason === 'io server disconnect') void this.#onConnectError(new Error('UNAUTHENTICATED'));
    });
    socket.on('sync:required', () => void this.#onConnected());
    socket.on('message:sent', (message) => {
      if (message.senderType === 'agent') this.#setAgentTyping(false);
      this.#receive([message]);
    });
    socket.on('conversation:updated', (conversation) => {
      if (conversation.id === this.conversation?.id) this.#adopt(conversation, this.queue);
    });
    socket.on('queue:updated', (status) => {
      if (status.conversationId === this.conversation?.id && this.conversation.status === 'queued') this.queue = status;
    });
    socket.on('ticket:created', (created) => this.ticketCreated(created));
    socket.on('conversation:wait-exceeded', (wait) => {
      if (wait.conversationId === this.conversation?.id) this.waitExceeded = wait;
    });
    socket.on('typing:changed', (typing) => {
      if (typing.by === 'agent' && typing.conversationId === this.conversation?.id) this.#setAgentTyping(typing.typing);
    });
    socket.on('messages:read', (read) => {
      const conversation = this.conversation;
      if (read.by === 'agent' && read.conversationId === conversation?.id && read.upToId > conversation.agentReadUpTo) {
        conversation.agentReadUpTo = read.upToId;
      }
    });
  }

  /** Takes over a conversation state from the server; read marks never go backwards. */
  #adopt(conversation: Conversation | null, queue: QueueStatus | null): void {
    const previous = this.conversation;
    if (conversation && previous?.id === conversation.id) {
      conversation.agentReadUpTo = Math.max(conversation.agentReadUpTo ?? 0, previous.agentReadUpTo ?? 0);
    } else {
      this.#readSent = 0;
    }
    this.conversation = conversation;
    this.queue = conversation?.status === 'queued' ? queue : null;
    if (conversation?.status !== 'queued') this.waitExceeded = null;
    if (conversation?.status !== 'active') this.#setAgentTyping(false);
    if (conversation?.status === 'closed') {
      clearTimeout(this.#typingIdle);
      this.#typingOn = false;
      this.uploads = []; // a closed chat takes no more files
    }
  }

  #openConversationId(): string | null {
    const conversation = this.conversation;
    return conversation && conversation.status !== 'closed' ? conversation.id : null;
  }

  #emitTyping(typing: boolean): void {
    const conversationId = this.#openConversationId();
    this.#typingOn = typing;
    if (typing) this.#typingSentAt = Date.now();
    if (!conversationId || !this.#socket?.connected) return;
    // Volatile and without an ack: a lost "typing" is harmless, the next one follows.
    const volatile = this.#socket.volatile as unknown as { emit(event: string, payload: unknown): void };
    volatile.emit('typing:set', { conversationId, typing });
  }

  #setAgentTyping(typing: boolean): void {
    clearTimeout(this.#agentTypingTimer);
    this.agentTyping = typing;
    if (typing) this.#agentTypingTimer = setTimeout(() => (this.agentTyping = false), AGENT_TYPING_TIMEOUT_MS);
  }

  async #onConnected(): Promise<void> {
    await this.#resume();
    this.#outbox.flush();
  }

  /**
   * First connect: restore the conversation. Reconnects: refresh its state (an agent may have
   * accepted or closed it while we were away) and fetch the messages we missed.
   */
  async #resume(): Promise<void> {
    const socket = this.#socket;
    if (!socket) return;
    const result = await ask(socket, 'conversation:resume', {});
    const current = this.conversation;
    if (this.#resumed) {
      if (result.ok && result.data.conversation && result.data.conversation.id === current?.id) {
        this.#adopt(result.data.conversation, result.data.queue ?? null);
        this.#receive(result.data.messages);
        return;
      }
      await this.#sync();
      // Resume only returns open conversations: ours was closed while we were away.
      if (result.ok && !result.data.conversation && current && current.status !== 'closed' && this.conversation === current) {
        this.#adopt({ ...current, status: 'closed', closedAt: new Date().toISOString(), closedBy: null }, null);
      }
      return;
    }
    if (!result.ok) {
      this.loadError = result.error;
      this.phase = 'failed';
      return;
    }
    this.#resumed = true;
    this.#adopt(result.data.conversation, result.data.queue ?? null);
    this.messages = mergeMessages([], result.data.messages);
    this.phase = result.data.conversation ? 'chat' : 'prechat';
  }

  /** After a reconnect: fetch what we missed while offline. */
  async #sync(): Promise<void> {
    const socket = this.#socket;
    const conversation = this.conversation;
    if (!socket || !conversation) return;
    const result = await ask(socket, 'conversation:sync', { conversationId: conversation.id, afterId: highestId(this.messages) });
    if (result.ok) this.#receive(result.data.messages);
  }

  async #onConnectError(error: Error): Promise<void> {
    const socket = this.#socket;
    if (!socket || socket.active) return; // transport trouble: socket.io retries on its own
    if (error.message !== 'UNAUTHENTICATED') {
      // Refused for another reason (e.g. RATE_LIMITED): try again a little later.
      setTimeout(() => socket.connect(), 5_000);
      return;
    }
    if (this.#authRefreshes >= MAX_AUTH_REFRESHES) {
      this.#authRefreshes = 0;
      setTimeout(() => void this.#reauthenticate(), 10_000);
      return;
    }
    this.#authRefreshes += 1;
    await this.#reauthenticate();
  }

  async #reauthenticate(): Promise<void> {
    const session = await this.#refreshToken(this.#token);
    if (!session.ok) {
      setTimeout(() => void this.#reauthenticate(), 5_000);
      return;
    }
    if (session.data.renewed && this.conversation) {
      // A new visitor cannot see the old conversation; start from the form again.
      this.startOver();
    }
    this.#socket?.connect();
  }

  async #refreshToken(token: string | undefined) {
    const session = await openVisitorSession(this.origin, token);
    if (session.ok) {
      this.#token = session.data.token;
      storeToken(session.data.token);
    }
    return session;
  }

  #receive(incoming: readonly Message[]): void {
    const relevant = incoming.filter((message) => message.conversationId === this.conversation?.id);
    if (relevant.length === 0) return;
    this.messages = mergeMessages(this.messages, relevant);
    this.#outbox.confirm(relevant.map((message) => message.clientId));
  }
}
