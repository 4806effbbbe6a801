import type { ConversationDetail } from '../../../shared/events/agent.js';
import type { CannedResponse } from '../../../shared/schemas/canned.js';
import type { AgentConversation, EarlierConversation, Message } from '../../../shared/schemas/chat.js';
import type { Offer, OfferRevoked, QueueEntry } from '../../../shared/schemas/routing.js';
import { notConnected, type ClientAck, type ClientError } from '../../lib/errors.js';
import { Outbox, type OutboxEntry } from '../../lib/outbox.js';
import { ask } from '../../lib/socket.js';
import type { AgentConnection, AgentSocket, SocketBinding } from './agent-connection.svelte.js';
import { api, uploadAttachment, type Department } from './api.js';
import { highestId, mergeMessages, replaceDepartmentQueue, sortQueue } from './chat-logic.js';
import { stripUnsafeText } from '../../../shared/schemas/safeText.js';

/** `typing:changed` is volatile: a lost `false` must not leave "typing…" forever. */
const TYPING_TIMEOUT_MS = 8_000;

export type OutboxKind = 'message' | 'note' | 'file';

/** Something the agent sent that the server has not confirmed yet. */
export interface OutboxItem extends OutboxEntry {
  conversationId: string;
  kind: OutboxKind;
  /** The text, or the file name for uploads. */
  text: string;
  file: File | null;
}

/** A short-lived notice about an offer (e.g. it timed out). */
export type OfferNotice =
  | { kind: 'timeout'; visitorName: string | null }
  | { kind: 'withdrawn'; visitorName: string | null }
  | { kind: 'failed'; error: ClientError };

/**
 * The agent's chats: assigned conversations with their messages, the outbox, the pending
 * offer, the queue of the agent's departments, visitor typing and canned responses.
 * All server pushes are applied here; components only read and call methods.
 */
export class ChatStore implements SocketBinding {
  conversations = $state<AgentConversation[]>([]);
  messages = $state<Record<string, Message[]>>({});
  earlier = $state<Record<string, EarlierConversation[]>>({});
  outbox = $state<OutboxItem[]>([]);
  offer = $state<Offer | null>(null);
  offerBusy = $state(false);
  offerNotice = $state<OfferNotice | null>(null);
  queue = $state<QueueEntry[]>([]);
  /** Waiting chats per department as the server counts them (pushes carry only the head of a queue). */
  queueTotals = $state<Record<number, number>>({});

  get queueTotal(): number {
    const counted = new Set(Object.keys(this.queueTotals).map(Number));
    const pushed = Object.values(this.queueTotals).reduce((sum, n) => sum + n, 0);
    return pushed + this.queue.filter((e) => !counted.has(e.departmentId)).length;
  }
  /** Conversation ids where the visitor is typing right now. */
  visitorTyping = $state<Record<string, boolean>>({});
  canned = $state<CannedResponse[]>([]);
  departments = $state<Department[]>([]);
  selectedId = $state<string | null>(null);
  /** True once the first `conversation:list` answered (the empty state is real). */
  loaded = $state(false);

  /** Called for every new offer (sound, desktop notification). */
  onOffer: ((offer: Offer) => void) | null = null;
  /** Called when a conversation becomes this agent's (to switch to the Chats section). */
  onAssigned: ((conversation: AgentConversation) => void) | null = null;

  readonly #agent: AgentConnection;
  /** Messages, notes and files on their way (lib/outbox.ts): re-sent after a lost ack, flushed on every connect. */
  readonly #outbox = new Outbox<OutboxItem, { message: Message }>(
    { get: () => this.outbox, set: (items) => (this.outbox = items) },
    {
      send: (item) => {
        const socket = this.#agent.socket;
        if (!socket?.connected) return null;
        if (item.kind === 'file' && item.file) return uploadAttachment(item.conversationId, item.file, item.clientId);
        const payload = { conversationId: item.conversationId, clientId: item.clientId, text: stripUnsafeText(item.text) };
        return item.kind === 'note' ? ask(socket, 'note:add', payload) : ask(socket, 'message:send', payload);
      },
      sent: (_item, data) => this.#receive([data.message]),
    },
  );
  readonly #typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #reading = new Map<string, number>();
  #noticeTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(agent: AgentConnection) {
    this.#agent = agent;
  }

  get myId(): number {
    return this.#agent.userId;
  }

  /** Still listed here but no longer this agent's: handed to a colleague or another department. */
  handedOver(conversation: AgentConversation): boolean {
    return conversation.status !== 'closed' && conversation.assignedAgentId !== this.myId;
  }

  get selected(): AgentConversation | null {
    return this.conversations.find((c) => c.id === this.selectedId) ?? null;
  }

  department(id: number): Department | null {
    return this.departments.find((d) => d.id === id) ?? null;
  }

  departmentName(id: number): string {
    return this.department(id)?.name ?? `#${id}`;
  }

  outboxOf(conversationId: string): OutboxItem[] {
    return this.outbox.filter((item) => item.conversationId === conversationId);
  }

  // ---- socket wiring -------------------------------------------------------------------------

  bind(socket: AgentSocket): void {
    socket.on('offer:received', (offer) => {
      this.offer = offer;
      this.offerNotice = null;
      this.onOffer?.(offer);
    });
    socket.on('offer:revoked', (revoked) => this.#revoked(revoked));
    socket.on('conversation:assigned', (conversation) => {
      if (this.offer?.conversationId === conversation.id) this.offer = null;
      const known = this.conversations.some((c) => c.id === conversation.id);
      this.#upsert(conversation);
      if (!known) {
        void this.#loadDetail(conversation.id);
        this.selectedId ??= conversation.id;
        this.onAssigned?.(conversation);
      }
    });
    socket.on('conversation:updated', (conversation) => {
      const before = this.conversations.find((c) => c.id === conversation.id);
      if (!before) return;
      this.#upsert(conversation);
      // Confirmed in another tab: the customer's earlier conversations are shown now.
      if (!before.visitor.customerNumberVerified && conversation.visitor.customerNumberVerified) void this.#loadDetail(conversation.id);
    });
    socket.on('message:sent', (message) => this.#receive([message]));
    socket.on('sync:required', () => void this.#resync(socket));
    socket.on('typing:changed', ({ conversationId, by, typing }) => {
      if (by === 'visitor') this.#setVisitorTyping(conversationId, typing);
    });
    socket.on('messages:read', ({ conversationId, by, upToId }) => {
      this.#patch(conversationId, (c) =>
        by === 'visitor'
          ? { ...c, visitorReadUpTo: Math.max(c.visitorReadUpTo, upToId) }
          : { ...c, agentReadUpTo: Math.max(c.agentReadUpTo, upToId) },
      );
    });
    socket.on('queue:changed', ({ departmentId, entries, total }) => {
      this.queue = replaceDepartmentQueue(this.queue, departmentId, entries);
      this.queueTotals = { ...this.queueTotals, [departmentId]: total };
    });
  }

  connected(socket: AgentSocket): void {
    void this.#resync(socket);
  }

  async #resync(socket: AgentSocket): Promise<void> {
    if (this.departments.length === 0) void this.#loadDepartments();
    void this.loadCanned();
    void this.loadQueue();
    const list = await ask(socket, 'conversation:list', {});
    if (list.ok) {
      const serverIds = new Set(list.data.conversations.map((c) => c.id));
      // Chats the visitor closed stay visible (with their banner) until the agent dismisses them.
      const keptClosed = this.conversations.filter((c) => !serverIds.has(c.id) && c.status === 'closed');
      this.conversations = [...list.data.conversations, ...keptClosed];
      this.offer = list.data.offer;
      this.loaded = true;
      if (this.selectedId && !this.conversations.some((c) => c.id === this.selectedId)) this.selectedId = null;
      this.selectedId ??= this.conversations[0]?.id ?? null;
      await Promise.all(
        list.data.conversations.map((c) => (this.messages[c.id] ? this.#sync(socket, c.id) : this.#loadDetail(c.id))),
      );
    }
    this.#outbox.flush();
  }

  async loadCanned(): Promise<void> {
    const socket = this.#agent.socket;
    if (!socket) return;
    const result = await ask(socket, 'canned:list', {});
    if (result.ok) this.canned = result.data.responses;
  }

  async loadQueue(): Promise<void> {
    const socket = this.#agent.socket;
    if (!socket) return;
    const result = await ask(socket, 'queue:list', {});
    if (result.ok) this.queue = sortQueue(result.data.entries);
  }

  async #loadDepartments(): Promise<void> {
    const result = await api.departments();
    if (result.ok) this.departments = result.data.departments;
  }

  async #loadDetail(conversationId: string): Promise<void> {
    const socket = this.#agent.socket;
    if (!socket) return;
    const result = await ask(socket, 'conversation:get', { conversationId });
    if (result.ok) this.#applyDetail(result.data);
  }

  async #sync(socket: AgentSocket, conversationId: string): Promise<void> {
    // Page through everything missed (at most 500 per call).
    for (let page = 0; page < 20; page++) {
      const afterId = highestId(this.messages[conversationId] ?? []);
      const result = await ask(socket, 'conversation:sync', { conversationId, afterId });
      if (!result.ok || result.data.messages.length === 0) return;
      this.#receive(result.data.messages);
      if (result.data.messages.length < 500) return;
    }
  }

  #applyDetail(detail: ConversationDetail): void {
    this.#upsert(detail.conversation);
    this.messages[detail.conversation.id] = mergeMessages(this.messages[detail.conversation.id] ?? [], detail.messages);
    this.earlier[detail.conversation.id] = detail.earlier;
    this.#confirm(detail.messages);
  }

  /** Read-only look at any conversation (supervisors), without adding it to the agent's chats. */
  async fetchConversation(conversationId: string): Promise<ClientAck<ConversationDetail>> {
    const socket = this.#agent.socket;
    if (!socket) return notConnected();
    return ask(socket, 'conversation:get', { conversationId });
  }

  // ---- offers --------------------------------------------------------------------------------

  async accept(): Promise<void> {
    const socket = this.#agent.socket;
    const offer = this.offer;
    if (!socket || !offer || this.offerBusy) return;
    this.offerBusy = true;
    const result = await ask(socket, 'offer:accept', { conversationId: offer.conversationId });
    this.offerBusy = false;
    if (this.offer?.conversationId === offer.conversationId) this.offer = null;
    if (result.ok) {
      this.#applyDetail(result.data);
      this.selectedId = result.data.conversation.id;
      this.onAssigned?.(result.data.conversation);
    } else {
      this.#notice({ kind: 'failed', error: result.error });
    }
  }

  async decline(): Promise<void> {
    const socket = this.#agent.socket;
    const offer = this.offer;
    if (!socket || !offer || this.offerBusy) return;
    this.offerBusy = true;
    await ask(socket, 'offer:decline', { conversationId: offer.conversationId });
    this.offerBusy = false;
    if (this.offer?.conversationId === offer.conversationId) this.offer = null;
  }

  /** A conversation this agent took over another way than an offer (a colleague's handover). */
  adopt(detail: ConversationDetail): void {
    this.#applyDetail(detail);
    this.selectedId = detail.conversation.id;
    this.onAssigned?.(detail.conversation);
  }

  /** A newer view of a listed conversation from an ack (pushes skip the socket that asked). */
  upsertConversation(conversation: AgentConversation): void {
    if (this.conversations.some((c) => c.id === conversation.id)) this.#upsert(conversation);
  }

  dismissNotice(): void {
    this.offerNotice = null;
  }

  #revoked(revoked: OfferRevoked): void {
    const offer = this.offer;
    if (!offer || offer.conversationId !== revoked.conversationId) return;
    this.offer = null;
    this.#notice({ kind: revoked.reason, visitorName: offer.visitorName });
  }

  #notice(notice: OfferNotice): void {
    this.offerNotice = notice;
    if (this.#noticeTimer) clearTimeout(this.#noticeTimer);
    // A timeout notice stays until dismissed (the agent was set away); the others fade.
    if (notice.kind !== 'timeout') this.#noticeTimer = setTimeout(() => (this.offerNotice = null), 8_000);
  }

  // ---- conversations -------------------------------------------------------------------------

  select(conversationId: string): void {
    this.selectedId = conversationId;
  }

  /** Tells the server the agent has read everything shown (call when the chat is open and visible). */
  markRead(conversationId: string): void {
    const socket = this.#agent.socket;
    const conversation = this.conversations.find((c) => c.id === conversationId);
    if (!socket?.connected || !conversation || this.handedOver(conversation)) return;
    const top = highestId(this.messages[conversationId] ?? []);
    if (top <= conversation.agentReadUpTo || (this.#reading.get(conversationId) ?? 0) >= top) return;
    this.#reading.set(conversationId, top);
    this.#patch(conversationId, (c) => ({ ...c, agentReadUpTo: Math.max(c.agentReadUpTo, top) }));
    void ask(socket, 'message:read', { conversationId, upToId: top }).then((result) => {
      if (!result.ok) this.#reading.delete(conversationId);
    });
  }

  setTyping(conversationId: string, typing: boolean): void {
    const socket = this.#agent.socket;
    // Volatile and without an ack: a lost "typing" hint is not worth a retry.
    const volatile = socket?.connected ? (socket.volatile as unknown as { emit(event: 'typing:set', payload: { conversationId: string; typing: boolean }): void }) : null;
    volatile?.emit('typing:set', { conversationId, typing });
  }

  async close(conversationId: string): Promise<ClientAck<unknown>> {
    const socket = this.#agent.socket;
    if (!socket) return notConnected();
    const result = await ask(socket, 'conversation:close', { conversationId });
    if (result.ok) this.dismiss(conversationId);
    return result;
  }

  /**
   * Confirms the customer number the visitor gave (the agent serving the chat, having checked it):
   * the conversation comes back marked verified, with the customer's earlier conversations.
   */
  async verifyCustomer(conversationId: string, customerNumber: string): Promise<ClientAck<unknown>> {
    const socket = this.#agent.socket;
    if (!socket) return notConnected();
    const result = await ask(socket, 'customer:verify', { conversationId, customerNumber });
    if (result.ok) {
      this.#upsert(result.data.conversation);
      this.earlier[conversationId] = result.data.earlier;
    }
    return result;
  }

  /** Removes a closed conversation from the list. */
  dismiss(conversationId: string): void {
    const index = this.conversations.findIndex((c) => c.id === conversationId);
    this.conversations = this.conversations.filter((c) => c.id !== conversationId);
    this.#outbox.drop((item) => item.conversationId === conversationId);
    delete this.messages[conversationId];
    delete this.earlier[conversationId];
    if (this.selectedId === conversationId) {
      this.selectedId = (this.conversations[index] ?? this.conversations[index - 1] ?? this.conversations[0])?.id ?? null;
    }
  }

  // ---- sending -------------------------------------------------------------------------------

  send(conversationId: string, text: string, kind: 'message' | 'note'): void {
    this.#enqueue({ conversationId, kind, text, file: null });
  }

  upload(conversationId: string, file: File): void {
    this.#enqueue({ conversationId, kind: 'file', text: file.name, file });
  }

  retry(clientId: string): void {
    this.#outbox.retry(clientId);
  }

  discard(clientId: string): void {
    this.#outbox.drop((item) => item.clientId === clientId);
  }

  #enqueue(input: Pick<OutboxItem, 'conversationId' | 'kind' | 'text' | 'file'>): void {
    this.#outbox.add(input);
  }

  // ---- applying pushes -----------------------------------------------------------------------

  #receive(incoming: readonly Message[]): void {
    const byConversation = new Map<string, Message[]>();
    for (const message of incoming) {
      if (!this.conversations.some((c) => c.id === message.conversationId)) continue;
      const list = byConversation.get(message.conversationId) ?? [];
      list.push(message);
      byConversation.set(message.conversationId, list);
    }
    for (const [conversationId, list] of byConversation) {
      this.messages[conversationId] = mergeMessages(this.messages[conversationId] ?? [], list);
      const top = highestId(list);
      this.#patch(conversationId, (c) => (top > c.lastMessageId ? { ...c, lastMessageId: top } : c));
      // A visitor message ends their typing.
      if (list.some((m) => m.senderType === 'visitor')) this.#setVisitorTyping(conversationId, false);
    }
    this.#confirm(incoming);
  }

  #confirm(messages: readonly Message[]): void {
    this.#outbox.confirm(messages.map((m) => m.clientId));
  }

  #setVisitorTyping(conversationId: string, typing: boolean): void {
    const timer = this.#typingTimers.get(conversationId);
    if (timer) clearTimeout(timer);
    this.#typingTimers.delete(conversationId);
    if (typing) {
      this.visitorTyping[conversationId] = true;
      this.#typingTimers.set(
        conversationId,
        setTimeout(() => this.#setVisitorTyping(conversationId, false), TYPING_TIMEOUT_MS),
      );
    } else if (this.visitorTyping[conversationId]) {
      delete this.visitorTyping[conversationId];
    }
  }

  #upsert(conversation: AgentConversation): void {
    const index = this.conversations.findIndex((c) => c.id === conversation.id);
    if (index === -1) this.conversations.push(conversation);
    else {
      const previous = this.conversations[index]!;
      // Read marks only move forward, whatever order the pushes arrive in.
      this.conversations[index] = {
        ...conversation,
        agentReadUpTo: Math.max(previous.agentReadUpTo, conversation.agentReadUpTo),
        visitorReadUpTo: Math.max(previous.visitorReadUpTo, conversation.visitorReadUpTo),
        lastMessageId: Math.max(previous.lastMessageId, conversation.lastMessageId),
      };
    }
  }

  #patch(conversationId: string, change: (c: AgentConversation) => AgentConversation): void {
    const index = this.conversations.findIndex((c) => c.id === conversationId);
    if (index !== -1) this.conversations[index] = change(this.conversations[index]!);
  }

  dispose(): void {
    for (const timer of this.#typingTimers.values()) clearTimeout(timer);
    if (this.#noticeTimer) clearTimeout(this.#noticeTimer);
    this.#outbox.dispose();
  }
}
