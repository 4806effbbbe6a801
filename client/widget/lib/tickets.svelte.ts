/**
 * The visitor's tickets (loaded on demand, outside the chat core): leave a message, ask for a
 * callback, keep waiting, and come back to earlier requests with their public thread. The chat
 * core only catches `ticket:created` and `conversation:wait-exceeded`; the rest of the ticket
 * pushes are bound here once a ticket view loads.
 */
import type { Message } from '../../../shared/schemas/chat.js';
import type { CallbackRequest, LeaveMessage, TicketCreate, TicketCreated, VisitorTicket } from '../../../shared/schemas/tickets.js';
import { PHONE_MIN_DIGITS, PHONE_PATTERN } from '../../../shared/limits.js';
import { notConnected, type ClientAck, type ClientError } from '../../lib/errors.js';
import { Outbox } from '../../lib/outbox.js';
import { ask } from '../../lib/socket.js';
import type { OutboxItem, VisitorChat, VisitorSocket } from './chat.svelte.js';
import { mergeMessages } from './messages.js';
import { stripUnsafeText } from '../../../shared/schemas/safeText.js';

/** Which ticket updates the visitor has seen (by `updatedAt`), so a new reply can be marked. */
const SEEN_KEY = 'zentrale.ticketsSeen';

/** The phone rule of callbackRequestSchema, from shared/limits.ts (the widget stays free of zod). */
export function validPhone(value: string): boolean {
  return PHONE_PATTERN.test(value) && value.replace(/\D/g, '').length >= PHONE_MIN_DIGITS;
}

export interface TicketThread {
  ticket: VisitorTicket;
  messages: Message[];
  trackingUrl: string;
}

/** A comment on one of the visitor's tickets, not yet confirmed. */
export interface CommentItem extends OutboxItem {
  ticketId: number;
}

function readSeen(): Record<string, string> {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(SEEN_KEY) ?? '{}');
    return typeof value === 'object' && value !== null ? (value as Record<string, string>) : {};
  } catch {
    return {};
  }
}

export class VisitorTickets {
  /** Newest first; null until the first `ticket:list` answered. */
  list = $state<VisitorTicket[] | null>(null);
  listError = $state<ClientError | null>(null);
  threads = $state<Record<number, TicketThread>>({});
  threadErrors = $state<Record<number, ClientError>>({});
  /** Comments not yet confirmed (the chat's outbox item, with its ticket). */
  outbox = $state<CommentItem[]>([]);
  /** Tickets with an agent reply the visitor has not looked at yet. */
  unseen = $state<Record<number, boolean>>({});
  /** The just-made ticket whose confirmation the visitor has moved on from (shown plainly after that). */
  acknowledged = $state<number | null>(null);

  readonly #chat: VisitorChat;
  #bound: VisitorSocket | null = null;
  #seen = readSeen();
  readonly #comments = new Outbox<CommentItem, { message: Message; ticket: VisitorTicket }>(
    { get: () => this.outbox, set: (items) => (this.outbox = items) },
    {
      send: (item) => {
        const socket = this.#socket;
        return socket?.connected ? ask(socket, 'ticket:comment', { ticketId: item.ticketId, clientId: item.clientId, text: stripUnsafeText(item.text) }) : null;
      },
      sent: (item, data) => {
        const thread = this.threads[item.ticketId];
        if (thread) this.threads[item.ticketId] = { ...thread, ticket: data.ticket, messages: mergeMessages(thread.messages, [data.message]) };
        this.#upsert(data.ticket);
        this.markSeen(data.ticket);
      },
    },
  );

  constructor(chat: VisitorChat) {
    this.#chat = chat;
    this.#bind();
  }

  get #socket(): VisitorSocket | null {
    this.#bind();
    return this.#chat.socket;
  }

  /** Pushes for tickets: status changes, replies and comments from other tabs or the tracking page. */
  #bind(): void {
    const socket = this.#chat.socket;
    if (!socket || this.#bound === socket) return;
    this.#bound = socket;
    socket.on('ticket:updated', (ticket) => this.#upsert(ticket));
    socket.on('ticket:created', (created) => this.#upsert(created.ticket));
    socket.on('ticket:message', ({ ticketId, message }) => {
      const thread = this.threads[ticketId];
      if (thread) this.threads[ticketId] = { ...thread, messages: mergeMessages(thread.messages, [message]) };
      if (message.senderType === 'agent') this.unseen[ticketId] = true;
    });
    // After a reconnect: pushes may have been missed.
    socket.on('connect', () => void this.refresh());
    socket.on('sync:required', () => void this.refresh());
  }

  #upsert(ticket: VisitorTicket): void {
    if (this.list) {
      const rest = this.list.filter((t) => t.id !== ticket.id);
      this.list = [ticket, ...rest].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id);
    }
    const thread = this.threads[ticket.id];
    if (thread) this.threads[ticket.id] = { ...thread, ticket };
    this.#markUnseen(ticket);
  }

  #markUnseen(ticket: VisitorTicket): void {
    const seen = this.#seen[ticket.id];
    // Never seen at all (a ticket made in this tab is marked seen when shown) or changed since.
    if (seen !== undefined && ticket.updatedAt > seen) this.unseen[ticket.id] = true;
  }

  /** The visitor has looked at the ticket now. */
  markSeen(ticket: VisitorTicket): void {
    this.#seen = { ...readSeen(), [ticket.id]: ticket.updatedAt };
    delete this.unseen[ticket.id];
    try {
      localStorage.setItem(SEEN_KEY, JSON.stringify(this.#seen));
    } catch {
      // no storage: the marks last for this page only
    }
  }

  get unseenCount(): number {
    return Object.values(this.unseen).filter(Boolean).length;
  }

  async load(): Promise<void> {
    const socket = this.#socket;
    if (!socket) return;
    this.listError = null;
    const result = await ask(socket, 'ticket:list', {});
    if (!result.ok) {
      this.listError = result.error;
      return;
    }
    this.list = result.data.tickets;
    for (const ticket of result.data.tickets) this.#markUnseen(ticket);
  }

  async open(ticketId: number): Promise<void> {
    const socket = this.#socket;
    if (!socket) return;
    delete this.threadErrors[ticketId];
    const result = await ask(socket, 'ticket:get', { ticketId });
    if (!result.ok) {
      this.threadErrors[ticketId] = result.error;
      return;
    }
    const previous = this.threads[ticketId];
    this.threads[ticketId] = {
      ticket: result.data.ticket,
      messages: mergeMessages(previous?.messages ?? [], result.data.messages),
      trackingUrl: result.data.trackingUrl || previous?.trackingUrl || '',
    };
  }

  async refresh(): Promise<void> {
    if (this.list !== null || this.listError) await this.load();
    await Promise.all(Object.keys(this.threads).map((id) => this.open(Number(id))));
    this.#comments.flush();
  }

  // ---- comments ------------------------------------------------------------------------------

  comment(ticketId: number, text: string): void {
    this.#comments.add({ ticketId, text });
  }

  outboxOf(ticketId: number): CommentItem[] {
    return this.outbox.filter((item) => item.ticketId === ticketId);
  }

  retry(clientId: string): void {
    this.#comments.retry(clientId);
  }

  // ---- making tickets ------------------------------------------------------------------------

  /** Shared by every way a ticket is made: the core shows it, the list gets it. */
  #made(result: ClientAck<TicketCreated>, email: string | undefined): ClientAck<TicketCreated> {
    if (!result.ok) return result;
    if (email) this.#chat.details = { ...this.#chat.details, email };
    this.#upsert(result.data.ticket);
    this.markSeen(result.data.ticket);
    this.#chat.ticketCreated(result.data);
    return result;
  }

  /** Leave a message without a chat (the department is closed, or the visitor prefers it). */
  async create(input: TicketCreate): Promise<ClientAck<TicketCreated>> {
    const socket = this.#socket;
    if (!socket) return notConnected();
    const result = await ask(socket, 'ticket:create', input);
    if (result.ok) this.#chat.details = { name: input.name, email: input.email ?? '' };
    return this.#made(result, input.email);
  }

  /** The waiting chat becomes a ticket; everything written stays in its thread. */
  async leaveMessage(input: LeaveMessage): Promise<ClientAck<TicketCreated>> {
    const socket = this.#socket;
    if (!socket) return notConnected();
    return this.#made(await ask(socket, 'conversation:leave-message', input), input.email);
  }

  async callback(input: CallbackRequest): Promise<ClientAck<TicketCreated>> {
    const socket = this.#socket;
    if (!socket) return notConnected();
    const result = await ask(socket, 'callback:request', input);
    if (result.ok && input.name) this.#chat.details = { name: input.name, email: input.email ?? this.#chat.details.email };
    return this.#made(result, input.email);
  }

  async keepWaiting(conversationId: string): Promise<ClientAck<{ conversationId: string; nextChoiceAt: string }>> {
    const socket = this.#socket;
    if (!socket) return notConnected();
    const result = await ask(socket, 'conversation:keep-waiting', { conversationId });
    if (result.ok) this.#chat.waitExceeded = null;
    return result;
  }
}

const instances = new WeakMap<VisitorChat, VisitorTickets>();

/** One ticket state per chat, made when the first ticket view loads. */
export function ticketsOf(chat: VisitorChat): VisitorTickets {
  let tickets = instances.get(chat);
  if (!tickets) {
    tickets = new VisitorTickets(chat);
    instances.set(chat, tickets);
  }
  return tickets;
}

/** "Di., 24.11., 14:00–16:00" for a preferred callback window. */
export function formatWindow(from: string | null, to: string | null, lang: 'de' | 'en'): string {
  if (!from) return '';
  const locale = lang === 'de' ? 'de-DE' : 'en-GB';
  const start = new Date(from);
  const day = new Intl.DateTimeFormat(locale, { weekday: 'short', day: '2-digit', month: '2-digit' }).format(start);
  const time = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' });
  return to ? `${day}, ${time.format(start)}–${time.format(new Date(to))}` : `${day}, ${time.format(start)}`;
}

/** Copies text to the clipboard; false when the browser refuses (insecure context, permissions). */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Older embeds may not grant clipboard-write to the iframe: the selection way still works there.
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.append(area);
    area.select();
    let copied = false;
    try {
      copied = document.execCommand('copy');
    } catch {
      copied = false;
    }
    area.remove();
    return copied;
  }
}
