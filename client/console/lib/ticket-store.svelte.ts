import type { Message } from '../../../shared/schemas/chat.js';
import type { User } from '../../../shared/schemas/auth.js';
import type { AgentTicket, TicketAssignee, TicketDetail, TicketEscalated, TicketStatus, TicketUrgency } from '../../../shared/schemas/tickets.js';
import { notConnected, type ClientAck, type ClientError } from '../../lib/errors.js';
import { Outbox } from '../../lib/outbox.js';
import { ask } from '../../lib/socket.js';
import type { AgentConnection, AgentSocket, SocketBinding } from './agent-connection.svelte.js';
import { api } from './api.js';
import { mergeMessages } from './chat-logic.js';
import type { OutboxItem } from './chat-store.svelte.js';
import { applyTicket, defaultFilters, listQuery, matchesFilters, type TicketFilters } from './ticket-logic.js';
import { stripUnsafeText } from '../../../shared/schemas/safeText.js';

export const TICKET_PAGE_SIZE = 25;
const NOTICE_MS = 20_000;

/** A public reply ('message') or internal note the server has not confirmed yet; shown like a chat's outbox. */
export interface TicketOutboxItem extends OutboxItem {
  ticketId: number;
  kind: 'message' | 'note';
  /** The status to set with a reply. */
  setStatus: TicketStatus | undefined;
}

export interface TicketUpdate {
  status?: TicketStatus;
  urgency?: TicketUrgency;
  assigneeId?: number | null;
  departmentId?: number;
}

/**
 * The ticket inbox and the open ticket, as this console sees them: the filtered page from
 * `ticket:list`, kept current by `ticket:created`/`ticket:updated`; the detail from `ticket:get`
 * with its thread kept current by `ticket:message`; an outbox for replies and notes (idempotent
 * by client id); and live escalation notices for supervisors and the assignee.
 */
export class TicketStore implements SocketBinding {
  filters = $state<TicketFilters>(defaultFilters());
  offset = $state(0);
  tickets = $state<AgentTicket[]>([]);
  total = $state(0);
  loading = $state(false);
  loaded = $state(false);
  error = $state<ClientError | null>(null);

  detail = $state<TicketDetail | null>(null);
  detailId = $state<number | null>(null);
  detailLoading = $state(false);
  detailError = $state<ClientError | null>(null);
  outbox = $state<TicketOutboxItem[]>([]);
  /** Status, urgency, assignee or department being saved for the open ticket. */
  saving = $state(false);
  saveError = $state<ClientError | null>(null);

  /** New tickets in the agent's view (for the navigation badge). */
  newCount = $state(0);
  escalations = $state<TicketEscalated[]>([]);
  /** Colleagues a ticket can be assigned to (supervisors and admins; others: themselves). */
  users = $state<User[]>([]);
  /** Colleagues the open ticket can be assigned to (members of its department). */
  assignees = $state<TicketAssignee[]>([]);

  /** Called for each escalation shown (sound, desktop notification). */
  onEscalated: ((escalated: TicketEscalated) => void) | null = null;

  readonly #agent: AgentConnection;
  readonly #supervisor: boolean;
  /** Replies and notes on their way (lib/outbox.ts): re-sent after a lost ack, flushed on every connect. */
  readonly #outbox = new Outbox<TicketOutboxItem, { message: Message; ticket?: AgentTicket }>(
    { get: () => this.outbox, set: (items) => (this.outbox = items) },
    {
      send: (item) => {
        const socket = this.#agent.socket;
        if (!socket?.connected) return null;
        const { ticketId, clientId } = item;
        const text = stripUnsafeText(item.text);
        return item.kind === 'message'
          ? ask(socket, 'ticket:reply', { ticketId, clientId, text, ...(item.setStatus ? { status: item.setStatus } : {}) })
          : ask(socket, 'ticket:note', { ticketId, clientId, text });
      },
      sent: (item, data) => {
        this.#receive(item.ticketId, [data.message]);
        if (data.ticket) this.#apply(data.ticket);
      },
    },
  );
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
  #listRequest = 0;
  #countTimer: ReturnType<typeof setTimeout> | null = null;
  #detailTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(agent: AgentConnection, supervisor: boolean) {
    this.#agent = agent;
    this.#supervisor = supervisor;
  }

  get myId(): number {
    return this.#agent.userId;
  }

  outboxOf(ticketId: number): TicketOutboxItem[] {
    return this.outbox.filter((item) => item.ticketId === ticketId);
  }

  // ---- socket wiring -------------------------------------------------------------------------

  bind(socket: AgentSocket): void {
    socket.on('ticket:created', (ticket) => {
      this.#apply(ticket);
      this.#recount();
    });
    socket.on('ticket:updated', (ticket) => {
      this.#apply(ticket);
      this.#recount();
    });
    socket.on('ticket:message', ({ ticketId, message }) => this.#receive(ticketId, [message]));
    socket.on('ticket:escalated', (escalated) => {
      this.#apply(escalated.ticket);
      // Supervisors are told live; so is the agent the ticket belongs to.
      if (this.#supervisor || escalated.ticket.assigneeId === this.myId || escalated.ticket.substituteId === this.myId) this.#notify(escalated);
    });
    socket.on('sync:required', () => void this.#resync());
  }

  connected(): void {
    void this.#resync();
  }

  async #resync(): Promise<void> {
    if (this.#supervisor && this.users.length === 0) void this.#loadUsers();
    void this.#count();
    if (this.loaded || this.loading) void this.load();
    if (this.detailId !== null) void this.#fetchDetail(this.detailId, true);
    this.#outbox.flush();
  }

  async #loadUsers(): Promise<void> {
    const result = await api.users();
    if (result.ok) this.users = [...result.data.users].sort((a, b) => a.name.localeCompare(b.name));
  }

  // ---- the inbox -----------------------------------------------------------------------------

  async load(): Promise<void> {
    const socket = this.#agent.socket;
    if (!socket) return;
    const request = ++this.#listRequest;
    this.loading = true;
    const result = await ask(socket, 'ticket:list', listQuery(this.filters, this.offset, TICKET_PAGE_SIZE));
    if (request !== this.#listRequest) return; // a newer filter won
    this.loading = false;
    if (!result.ok) {
      this.error = result.error;
      return;
    }
    this.error = null;
    this.loaded = true;
    this.tickets = result.data.tickets;
    this.total = result.data.total;
    // Past the end (tickets were solved meanwhile): back to the last page that has any.
    if (this.tickets.length === 0 && this.offset > 0 && this.total > 0) {
      this.offset = Math.max(0, Math.floor((this.total - 1) / TICKET_PAGE_SIZE) * TICKET_PAGE_SIZE);
      void this.load();
    }
  }

  setFilters(change: Partial<TicketFilters>): void {
    this.filters = { ...this.filters, ...change };
    this.offset = 0;
    void this.load();
  }

  resetFilters(): void {
    this.filters = defaultFilters();
    this.offset = 0;
    void this.load();
  }

  page(direction: 1 | -1): void {
    const next = this.offset + direction * TICKET_PAGE_SIZE;
    if (next < 0 || next >= this.total) return;
    this.offset = next;
    void this.load();
  }

  /** A pushed (or acknowledged) ticket: the inbox page, the open ticket. */
  #apply(ticket: AgentTicket): void {
    const { tickets, delta } = applyTicket(this.tickets, ticket, matchesFilters(ticket, this.filters, this.myId), {
      firstPage: this.offset === 0,
      limit: TICKET_PAGE_SIZE,
    });
    this.tickets = tickets;
    this.total = Math.max(0, this.total + delta);
    if (this.detail?.ticket.id === ticket.id) {
      this.detail = { ...this.detail, ticket };
      this.#refreshDetailSoon();
    }
  }

  /** The badge: tickets nobody has touched yet (debounced: pushes come in bursts). */
  #recount(): void {
    if (this.#countTimer) clearTimeout(this.#countTimer);
    this.#countTimer = setTimeout(() => void this.#count(), 400);
  }

  async #count(): Promise<void> {
    const socket = this.#agent.socket;
    if (!socket) return;
    const result = await ask(socket, 'ticket:list', { status: ['new'], limit: 1 });
    if (result.ok) this.newCount = result.data.total;
  }

  // ---- one ticket ----------------------------------------------------------------------------

  open(ticketId: number | null): void {
    if (ticketId === this.detailId) return;
    this.detailId = ticketId;
    this.detail = null;
    this.detailError = null;
    this.saveError = null;
    if (ticketId !== null) void this.#fetchDetail(ticketId, false);
  }

  reloadDetail(): void {
    if (this.detailId !== null) void this.#fetchDetail(this.detailId, false);
  }

  async #fetchDetail(ticketId: number, quiet: boolean): Promise<void> {
    const socket = this.#agent.socket;
    if (!socket) return;
    if (!quiet) this.detailLoading = true;
    const result = await ask(socket, 'ticket:get', { ticketId });
    if (this.detailId !== ticketId) return;
    this.detailLoading = false;
    if (!result.ok) {
      // Gone from view (moved to a department this agent is not in): say so instead of showing a stale copy.
      if (result.error.code === 'NOT_FOUND') this.detail = null;
      if (!quiet || result.error.code === 'NOT_FOUND') this.detailError = result.error;
      return;
    }
    this.detailError = null;
    const previous = this.detail?.ticket.id === ticketId ? this.detail.messages : [];
    const departmentChanged = this.detail?.ticket.id !== ticketId || this.detail.ticket.departmentId !== result.data.ticket.departmentId;
    this.detail = { ...result.data, messages: mergeMessages(previous, result.data.messages) };
    this.#confirm(result.data.messages);
    if (departmentChanged) void this.#fetchAssignees(ticketId);
  }

  async #fetchAssignees(ticketId: number): Promise<void> {
    const socket = this.#agent.socket;
    if (!socket) return;
    const result = await ask(socket, 'ticket:assignees', { ticketId });
    if (this.detailId === ticketId) this.assignees = result.ok ? result.data.assignees : [];
  }

  /** History, related and similar tickets change with every step: fetch again, quietly and coalesced. */
  #refreshDetailSoon(): void {
    if (this.#detailTimer) clearTimeout(this.#detailTimer);
    const id = this.detailId;
    this.#detailTimer = setTimeout(() => {
      if (id !== null && id === this.detailId) void this.#fetchDetail(id, true);
    }, 500);
  }

  #receive(ticketId: number, messages: readonly Message[]): void {
    if (this.detail?.ticket.id === ticketId) {
      this.detail = { ...this.detail, messages: mergeMessages(this.detail.messages, messages) };
      this.#refreshDetailSoon();
    }
    this.#confirm(messages);
  }

  #confirm(messages: readonly Message[]): void {
    this.#outbox.confirm(messages.map((m) => m.clientId));
  }

  async update(ticketId: number, change: TicketUpdate): Promise<ClientAck<{ ticket: AgentTicket }>> {
    const socket = this.#agent.socket;
    if (!socket) return notConnected();
    this.saving = true;
    this.saveError = null;
    const result = await ask(socket, 'ticket:update', { ticketId, ...change });
    this.saving = false;
    if (result.ok) {
      this.#apply(result.data.ticket);
      this.#recount();
    } else {
      this.saveError = result.error;
    }
    return result;
  }

  async calledBack(ticketId: number, note: string, status: TicketStatus): Promise<ClientAck<{ ticket: AgentTicket }>> {
    const socket = this.#agent.socket;
    if (!socket) return notConnected();
    const result = await ask(socket, 'ticket:called-back', { ticketId, status, ...(note.trim() ? { note: note.trim() } : {}) });
    if (result.ok) {
      this.#apply(result.data.ticket);
      this.#recount();
      this.#refreshDetailSoon();
    }
    return result;
  }

  // ---- replies and notes ---------------------------------------------------------------------

  send(ticketId: number, kind: 'message' | 'note', text: string, setStatus?: TicketStatus): void {
    const conversationId = this.detail?.ticket.id === ticketId ? this.detail.ticket.conversationId : '';
    this.#outbox.add({ ticketId, conversationId, kind, text, file: null, setStatus });
  }

  retry(clientId: string): void {
    this.#outbox.retry(clientId);
  }

  discard(clientId: string): void {
    this.#outbox.drop((item) => item.clientId === clientId);
  }

  // ---- escalations ---------------------------------------------------------------------------

  #notify(escalated: TicketEscalated): void {
    const key = `${escalated.ticket.id}:${escalated.target}`;
    this.escalations = [...this.escalations.filter((e) => `${e.ticket.id}:${e.target}` !== key), escalated];
    this.onEscalated?.(escalated);
    clearTimeout(this.#timers.get(key));
    // A breach stays until dismissed; a warning fades.
    if (escalated.level === 'approaching') this.#timers.set(key, setTimeout(() => this.dismiss(escalated), NOTICE_MS));
  }

  dismiss(escalated: TicketEscalated): void {
    const key = `${escalated.ticket.id}:${escalated.target}`;
    clearTimeout(this.#timers.get(key));
    this.#timers.delete(key);
    this.escalations = this.escalations.filter((e) => `${e.ticket.id}:${e.target}` !== key);
  }

  dispose(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    if (this.#countTimer) clearTimeout(this.#countTimer);
    if (this.#detailTimer) clearTimeout(this.#detailTimer);
    this.#outbox.dispose();
  }
}
