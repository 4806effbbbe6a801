import type { TransferDetail } from '../../../shared/events/agent.js';
import type { AgentConversation, Message } from '../../../shared/schemas/chat.js';
import type { ConsultMessage, Transfer, TransferCandidate, TransferDepartment, TransferTarget } from '../../../shared/schemas/transfer.js';
import { isTransient, type ClientAck } from '../../lib/errors.js';
import { newClientId } from '../../lib/ids.js';
import { ask } from '../../lib/socket.js';
import type { AgentConnection, AgentSocket, SocketBinding } from './agent-connection.svelte.js';
import { mergeMessages } from './chat-logic.js';
import type { ChatStore } from './chat-store.svelte.js';

/** Something the agent should learn about a transfer they are part of (it was answered, or lapsed). */
export interface TransferNotice {
  transfer: Transfer;
  /** requester: how their request ended; colleague: a request to them ended before they answered. */
  side: 'requester' | 'colleague';
}

const notConnected = { ok: false as const, error: { code: 'NETWORK' as const, message: 'not connected' } };
const NOTICE_MS = 12_000;

/**
 * Transfers as this console sees them: pending ones that concern the agent (supervisors: all),
 * finished ones with a consult thread to show, the colleague's live preview of an offered
 * conversation, and notices about outcomes. Server pushes are applied here; components read.
 */
export class TransferStore implements SocketBinding {
  transfers = $state<Transfer[]>([]);
  consult = $state<Record<string, ConsultMessage[]>>({});
  previews = $state<Record<string, TransferDetail>>({});
  notices = $state<TransferNotice[]>([]);
  busy = $state<Record<string, boolean>>({});
  /** Changes with every transfer update (timelines reload on it). */
  revision = $state(0);

  /** Called when a colleague asks this agent to take over (sound, desktop notification). */
  onIncoming: ((transfer: Transfer) => void) | null = null;

  readonly #agent: AgentConnection;
  readonly #chats: ChatStore;
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(agent: AgentConnection, chats: ChatStore) {
    this.#agent = agent;
    this.#chats = chats;
  }

  get myId(): number {
    return this.#agent.userId;
  }

  /** Requests waiting for this agent's answer, oldest first. */
  get incoming(): Transfer[] {
    return this.transfers.filter((t) => t.status === 'pending' && t.toAgentId === this.myId);
  }

  get inProgress(): Transfer[] {
    return this.transfers.filter((t) => t.status === 'pending');
  }

  /** This agent's request for the conversation that still waits for an answer. */
  outgoing(conversationId: string): Transfer | null {
    return this.transfers.find((t) => t.conversationId === conversationId && t.status === 'pending' && t.fromAgentId === this.myId) ?? null;
  }

  /** The warm transfer whose consult thread belongs beside this conversation, if this agent was part of it. */
  threadFor(conversationId: string): Transfer | null {
    const mine = this.transfers.filter(
      (t) => t.conversationId === conversationId && (t.status === 'pending' || t.status === 'accepted') && (t.fromAgentId === this.myId || t.toAgentId === this.myId),
    );
    return mine.at(-1) ?? null;
  }

  // ---- socket wiring -------------------------------------------------------------------------

  bind(socket: AgentSocket): void {
    socket.on('transfer:updated', (transfer) => this.#apply(transfer));
    socket.on('consult:sent', (message) => this.#addConsult([message]));
    socket.on('message:sent', (message) => this.#previewMessage(message));
    socket.on('sync:required', () => void this.#resync(socket));
  }

  connected(socket: AgentSocket): void {
    void this.#resync(socket);
  }

  async #resync(socket: AgentSocket): Promise<void> {
    const result = await ask(socket, 'transfer:list', {});
    if (!result.ok) return;
    // Pending ones may have ended while the connection was down: the server's list is the truth.
    this.transfers = [...this.transfers.filter((t) => t.status !== 'pending'), ...result.data.transfers];
    this.revision++;
    for (const t of this.incoming) void this.loadPreview(t.id);
    for (const t of this.transfers.filter((x) => x.kind === 'agent' && x.status !== 'pending' && this.consult[x.id])) void this.#loadConsult(t.id);
  }

  #apply(transfer: Transfer): void {
    const index = this.transfers.findIndex((t) => t.id === transfer.id);
    const previous = index === -1 ? null : this.transfers[index]!;
    if (index === -1) this.transfers.push(transfer);
    else this.transfers[index] = transfer;
    this.revision++;
    if (previous?.status === transfer.status) return;
    const me = this.myId;
    if (transfer.status === 'pending' && transfer.toAgentId === me) {
      this.onIncoming?.(transfer);
      void this.loadPreview(transfer.id);
      return;
    }
    if (transfer.kind !== 'agent' || transfer.status === 'pending' || transfer.status === 'completed') return;
    if (transfer.toAgentId === me && transfer.status !== 'accepted') delete this.previews[transfer.id];
    const byMe = transfer.status === 'cancelled' && transfer.cancelCause === 'withdrawn' && transfer.fromAgentId === me;
    if (transfer.fromAgentId === me && !byMe) this.#notify({ transfer, side: 'requester' });
    else if (transfer.toAgentId === me && (transfer.status === 'cancelled' || transfer.status === 'expired')) this.#notify({ transfer, side: 'colleague' });
  }

  #notify(notice: TransferNotice): void {
    this.notices = [...this.notices.filter((n) => n.transfer.id !== notice.transfer.id), notice];
    const id = notice.transfer.id;
    clearTimeout(this.#timers.get(id));
    // A refusal is worth reading twice: it stays until dismissed.
    if (notice.transfer.status !== 'declined') this.#timers.set(id, setTimeout(() => this.dismiss(id), NOTICE_MS));
  }

  dismiss(transferId: string): void {
    clearTimeout(this.#timers.get(transferId));
    this.#timers.delete(transferId);
    this.notices = this.notices.filter((n) => n.transfer.id !== transferId);
  }

  #addConsult(messages: readonly ConsultMessage[]): void {
    for (const message of messages) {
      const list = this.consult[message.transferId] ?? [];
      if (list.some((m) => m.id === message.id)) continue;
      this.consult[message.transferId] = [...list, message].sort((a, b) => a.id - b.id);
    }
  }

  /** The colleague follows the conversation while deciding: keep the preview current. */
  #previewMessage(message: Message): void {
    for (const [id, preview] of Object.entries(this.previews)) {
      if (preview.conversation.conversation.id !== message.conversationId) continue;
      this.previews[id] = { ...preview, conversation: { ...preview.conversation, messages: mergeMessages(preview.conversation.messages, [message]) } };
    }
  }

  // ---- reading -------------------------------------------------------------------------------

  async candidates(conversationId: string): Promise<ClientAck<{ agents: TransferCandidate[]; departments: TransferDepartment[] }>> {
    const socket = this.#agent.socket;
    if (!socket) return notConnected;
    return ask(socket, 'transfer:candidates', { conversationId });
  }

  async loadPreview(transferId: string): Promise<void> {
    const socket = this.#agent.socket;
    if (!socket) return;
    const result = await ask(socket, 'transfer:get', { transferId });
    if (!result.ok) return;
    this.#upsert(result.data.transfer);
    this.#addConsult(result.data.consult);
    if (result.data.transfer.status === 'pending') this.previews[transferId] = result.data;
  }

  async #loadConsult(transferId: string): Promise<void> {
    const socket = this.#agent.socket;
    if (!socket) return;
    const result = await ask(socket, 'transfer:get', { transferId });
    if (result.ok) this.#addConsult(result.data.consult);
  }

  /** Finds the consult thread of a conversation (after a reload, or for a chat taken over). */
  async loadThread(conversationId: string): Promise<void> {
    const socket = this.#agent.socket;
    if (!socket) return;
    const result = await ask(socket, 'transfer:list', { conversationId });
    if (!result.ok) return;
    for (const t of result.data.transfers) this.#upsert(t);
    const thread = this.threadFor(conversationId);
    if (thread && !this.consult[thread.id]) await this.#loadConsult(thread.id);
  }

  #upsert(transfer: Transfer): void {
    const index = this.transfers.findIndex((t) => t.id === transfer.id);
    if (index === -1) this.transfers.push(transfer);
    else this.transfers[index] = transfer;
  }

  // ---- acting --------------------------------------------------------------------------------

  /** `clientId` stays the same across retries of one request, so the server does it once. */
  async request(conversationId: string, to: TransferTarget, note: string, force: boolean, clientId: string): Promise<ClientAck<{ transfer: Transfer; conversation: AgentConversation }>> {
    const socket = this.#agent.socket;
    if (!socket) return notConnected;
    const result = await ask(socket, 'transfer:request', { conversationId, clientId, to, note, force });
    if (result.ok) {
      this.#apply(result.data.transfer);
      this.#chats.upsertConversation(result.data.conversation);
    }
    return result;
  }

  async reassign(conversationId: string, to: TransferTarget, note: string, force: boolean, clientId: string): Promise<ClientAck<{ transfer: Transfer; conversation: AgentConversation }>> {
    const socket = this.#agent.socket;
    if (!socket) return notConnected;
    const result = await ask(socket, 'supervisor:reassign', { conversationId, clientId, to, note, force });
    if (result.ok) this.#apply(result.data.transfer);
    return result;
  }

  async accept(transferId: string): Promise<ClientAck<unknown>> {
    const socket = this.#agent.socket;
    if (!socket || this.busy[transferId]) return notConnected;
    this.busy[transferId] = true;
    const result = await ask(socket, 'transfer:accept', { transferId });
    this.busy[transferId] = false;
    if (result.ok) {
      const transfer = this.transfers.find((t) => t.id === transferId);
      if (transfer) this.#upsert({ ...transfer, status: 'accepted', expiresAt: null });
      delete this.previews[transferId];
      this.#chats.adopt(result.data);
    } else {
      void this.loadPreview(transferId);
    }
    return result;
  }

  async decline(transferId: string, message: string): Promise<ClientAck<unknown>> {
    const socket = this.#agent.socket;
    if (!socket || this.busy[transferId]) return notConnected;
    this.busy[transferId] = true;
    const result = await ask(socket, 'transfer:decline', message.trim() ? { transferId, message: message.trim() } : { transferId });
    this.busy[transferId] = false;
    if (result.ok) {
      this.#upsert(result.data.transfer);
      delete this.previews[transferId];
    }
    return result;
  }

  async cancel(transferId: string): Promise<ClientAck<unknown>> {
    const socket = this.#agent.socket;
    if (!socket || this.busy[transferId]) return notConnected;
    this.busy[transferId] = true;
    const result = await ask(socket, 'transfer:cancel', { transferId });
    this.busy[transferId] = false;
    if (result.ok) this.#upsert(result.data.transfer);
    return result;
  }

  async sendConsult(transferId: string, text: string): Promise<ClientAck<unknown>> {
    const socket = this.#agent.socket;
    if (!socket) return notConnected;
    const clientId = newClientId();
    let result = await ask(socket, 'consult:send', { transferId, clientId, text });
    // Lost on the way: once more with the same id, the server keeps it once.
    if (!result.ok && isTransient(result.error) && socket.connected) result = await ask(socket, 'consult:send', { transferId, clientId, text });
    if (result.ok) this.#addConsult([result.data.message]);
    return result;
  }

  dispose(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
  }
}
