import type { Socket } from 'socket.io-client';
import type { VisitorClientToServer, VisitorServerToClient } from '../../../shared/events/visitor.js';
import type { Conversation, ConversationStart, Message } from '../../../shared/schemas/chat.js';
import { ConnectionTracker } from '../../lib/connection.svelte.js';
import type { ClientAck, ClientError } from '../../lib/errors.js';
import { newClientId } from '../../lib/ids.js';
import { connectSocket, settle } from '../../lib/socket.js';
import { highestId, mergeMessages } from './messages.js';
import { openVisitorSession, readStoredToken, storeToken } from './visitor-api.js';

/** Mirrors VISITOR_NAMESPACE in shared/events/visitor.ts (a value import would pull in zod). */
const VISITOR_NAMESPACE = '/visitor';
/** Automatic re-sends after a missing ack before a message is shown as failed. */
const MAX_AUTO_ATTEMPTS = 3;
/** Token refreshes in a row before we stop and wait (guards against a refresh loop). */
const MAX_AUTH_REFRESHES = 3;

type VisitorSocket = Socket<VisitorServerToClient, VisitorClientToServer>;

export type ChatPhase = 'loading' | 'failed' | 'prechat' | 'chat';

/** A message the visitor wrote that the server has not confirmed yet. */
export interface OutboxItem {
  clientId: string;
  text: string;
  createdAt: string;
  status: 'pending' | 'failed';
  error: ClientError | null;
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
  readonly connection = new ConnectionTracker();

  readonly #origin: string;
  #socket: VisitorSocket | null = null;
  #token: string | undefined;
  #resumed = false;
  #authRefreshes = 0;
  readonly #inFlight = new Set<string>();
  readonly #attempts = new Map<string, number>();

  constructor(origin: string) {
    this.#origin = origin;
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
    if (!socket) return { ok: false, error: { code: 'NETWORK', message: 'not connected' } };
    const result = await settle(socket.emitWithAck('conversation:start', input));
    if (result.ok) {
      this.conversation = result.data.conversation;
      this.messages = mergeMessages([], [result.data.message]);
      this.outbox = [];
      this.phase = 'chat';
    }
    return result;
  }

  send(text: string): void {
    const item: OutboxItem = { clientId: newClientId(), text, createdAt: new Date().toISOString(), status: 'pending', error: null };
    this.outbox.push(item);
    void this.#deliver(item.clientId);
  }

  retry(clientId: string): void {
    this.#attempts.delete(clientId);
    void this.#deliver(clientId);
  }

  /** After a closed conversation: back to the pre-chat form. */
  startOver(): void {
    this.conversation = null;
    this.messages = [];
    this.outbox = [];
    this.phase = 'prechat';
  }

  dispose(): void {
    this.#socket?.disconnect();
    this.#socket = null;
  }

  #connect(): void {
    const socket: VisitorSocket = connectSocket<VisitorServerToClient, VisitorClientToServer>(this.#origin + VISITOR_NAMESPACE, {
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
      // The server closed us on purpose (e.g. token revoked): socket.io will not retry by itself.
      if (reason === 'io server disconnect') void this.#onConnectError(new Error('UNAUTHENTICATED'));
    });
    socket.on('message:sent', (message) => this.#receive([message]));
    socket.on('conversation:updated', (conversation) => {
      if (conversation.id === this.conversation?.id) this.conversation = conversation;
    });
  }

  async #onConnected(): Promise<void> {
    if (!this.#resumed) await this.#resume();
    else await this.#sync();
    this.#flushOutbox();
  }

  async #resume(): Promise<void> {
    const socket = this.#socket;
    if (!socket) return;
    const result = await settle(socket.emitWithAck('conversation:resume', {}));
    if (!result.ok) {
      this.loadError = result.error;
      this.phase = 'failed';
      return;
    }
    this.#resumed = true;
    this.conversation = result.data.conversation;
    this.messages = mergeMessages([], result.data.messages);
    this.phase = result.data.conversation ? 'chat' : 'prechat';
  }

  /** After a reconnect: fetch what we missed while offline. */
  async #sync(): Promise<void> {
    const socket = this.#socket;
    const conversation = this.conversation;
    if (!socket || !conversation) return;
    const result = await settle(
      socket.emitWithAck('conversation:sync', { conversationId: conversation.id, afterId: highestId(this.messages) }),
    );
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
    const session = await openVisitorSession(this.#origin, token);
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
    const confirmed = new Set(relevant.map((message) => message.clientId).filter((id) => id !== null));
    if (confirmed.size > 0) this.outbox = this.outbox.filter((item) => !confirmed.has(item.clientId));
  }

  #flushOutbox(): void {
    for (const item of this.outbox) {
      if (item.status === 'pending' && !this.#inFlight.has(item.clientId)) void this.#deliver(item.clientId);
    }
  }

  async #deliver(clientId: string): Promise<void> {
    const socket = this.#socket;
    const conversation = this.conversation;
    const item = this.outbox.find((entry) => entry.clientId === clientId);
    if (!socket || !conversation || !item || this.#inFlight.has(clientId)) return;
    item.status = 'pending';
    item.error = null;
    if (!socket.connected) return; // sent by #flushOutbox on the next connect

    this.#inFlight.add(clientId);
    const result = await settle(
      socket.emitWithAck('message:send', { conversationId: conversation.id, clientId, text: item.text }),
    );
    this.#inFlight.delete(clientId);
    const current = this.outbox.find((entry) => entry.clientId === clientId);
    if (result.ok) {
      this.#attempts.delete(clientId);
      this.#receive([result.data.message]);
      // Remove even if the server message was for another conversation view (defensive).
      this.outbox = this.outbox.filter((entry) => entry.clientId !== clientId);
      return;
    }
    if (!current) return;
    const attempts = (this.#attempts.get(clientId) ?? 0) + 1;
    this.#attempts.set(clientId, attempts);
    if (result.error.code === 'TIMEOUT' && attempts < MAX_AUTO_ATTEMPTS) {
      // Lost on the way (disconnect): same client id again, the server drops duplicates.
      if (socket.connected) void this.#deliver(clientId);
      return;
    }
    current.status = 'failed';
    current.error = result.error;
  }
}
