import type { AgentTicket, SlaState, TicketKind, TicketListQuery, TicketStatus, TicketUrgency } from '../../../shared/schemas/tickets.js';

/** The inbox filters as the console keeps them (turned into a `ticket:list` query by `listQuery`). */
export interface TicketFilters {
  status: TicketStatus[];
  urgency: TicketUrgency[];
  departmentId: number | null;
  /** 'all', 'me' (mine and those I stand in for), 'none' (unassigned) or an agent id. */
  assignee: 'all' | 'me' | 'none' | number;
  kind: TicketKind | 'all';
  escalated: boolean;
}

/** What the inbox opens with: everything still to do, whoever has it. */
export const defaultFilters = (): TicketFilters => ({
  status: ['new', 'open', 'pending'],
  urgency: [],
  departmentId: null,
  assignee: 'all',
  kind: 'all',
  escalated: false,
});

/** How many filters differ from the defaults (whose tickets is chosen apart and not counted). */
export function activeFilterCount(filters: TicketFilters): number {
  const initial = defaultFilters();
  const sameStatus = filters.status.length === initial.status.length && filters.status.every((s) => initial.status.includes(s));
  return [!sameStatus, filters.urgency.length > 0, filters.departmentId !== null, typeof filters.assignee === 'number', filters.kind !== 'all', filters.escalated].filter(Boolean).length;
}

export function listQuery(filters: TicketFilters, offset: number, limit: number): TicketListQuery {
  const query: TicketListQuery = { offset, limit };
  if (filters.status.length > 0) query.status = [...filters.status];
  if (filters.urgency.length > 0) query.urgency = [...filters.urgency];
  if (filters.departmentId !== null) query.departmentId = [filters.departmentId];
  if (filters.assignee !== 'all') query.assignee = filters.assignee;
  if (filters.kind !== 'all') query.kind = filters.kind;
  if (filters.escalated) query.escalated = true;
  return query;
}

/**
 * Whether a pushed ticket belongs in the inbox as filtered, mirroring the server's query (the
 * server already limits pushes to tickets this agent may see).
 */
export function matchesFilters(ticket: AgentTicket, filters: TicketFilters, myId: number): boolean {
  if (filters.status.length > 0 && !filters.status.includes(ticket.status)) return false;
  if (filters.urgency.length > 0 && !filters.urgency.includes(ticket.urgency)) return false;
  if (filters.departmentId !== null && ticket.departmentId !== filters.departmentId) return false;
  if (filters.kind !== 'all' && ticket.kind !== filters.kind) return false;
  if (filters.assignee === 'none' && ticket.assigneeId !== null) return false;
  if (filters.assignee === 'me' && ticket.assigneeId !== myId && ticket.substituteId !== myId) return false;
  if (typeof filters.assignee === 'number' && ticket.assigneeId !== filters.assignee) return false;
  if (filters.escalated && (ticket.escalation === 'none' || !['new', 'open', 'pending'].includes(ticket.status))) return false;
  return true;
}

/** The server's inbox order: unanswered first, then whoever has waited longest. */
export function compareTickets(a: AgentTicket, b: AgentTicket): number {
  return Number(b.unanswered) - Number(a.unanswered) || Date.parse(a.lastActivityAt) - Date.parse(b.lastActivityAt) || a.id - b.id;
}

/**
 * Applies a pushed ticket to one page of the inbox: replaced, added (first page only: other
 * pages would shift under the reader) or removed when it no longer matches. Returns the new
 * page and how the total changes.
 */
export function applyTicket(
  page: readonly AgentTicket[],
  ticket: AgentTicket,
  matches: boolean,
  options: { firstPage: boolean; limit: number },
): { tickets: AgentTicket[]; delta: number } {
  const present = page.some((t) => t.id === ticket.id);
  if (!matches) return present ? { tickets: page.filter((t) => t.id !== ticket.id), delta: -1 } : { tickets: [...page], delta: 0 };
  if (present) return { tickets: page.map((t) => (t.id === ticket.id ? ticket : t)).sort(compareTickets), delta: 0 };
  if (!options.firstPage) return { tickets: [...page], delta: 1 };
  return { tickets: [...page, ticket].sort(compareTickets).slice(0, options.limit), delta: 1 };
}

/** How an SLA target stands, for the side panel. */
export function slaLine(state: SlaState, dueAt: string | null, doneAt: string | null): { key: 'none' | 'ok' | 'approaching' | 'breached' | 'met' | 'metLate'; at: string | null } {
  if (state === 'none' || (!dueAt && !doneAt)) return { key: 'none', at: null };
  if (doneAt) return { key: dueAt && Date.parse(doneAt) > Date.parse(dueAt) ? 'metLate' : 'met', at: doneAt };
  if (state === 'met') return { key: 'met', at: doneAt };
  return { key: state, at: dueAt };
}

/** "vor 5 Min." / "5 min ago" style, for the inbox. */
export function relativeTime(iso: string, now: number, lang: 'de' | 'en'): string {
  // Never "in 5 s": a server clock slightly ahead of this one still means "just now".
  const seconds = Math.min(0, Math.round((Date.parse(iso) - now) / 1000));
  if (Number.isNaN(seconds)) return '';
  const format = new Intl.RelativeTimeFormat(lang === 'de' ? 'de-DE' : 'en-GB', { numeric: 'auto', style: 'short' });
  const abs = Math.abs(seconds);
  if (abs < 60) return format.format(seconds, 'second');
  if (abs < 3600) return format.format(Math.trunc(seconds / 60), 'minute');
  if (abs < 86_400) return format.format(Math.trunc(seconds / 3600), 'hour');
  return format.format(Math.trunc(seconds / 86_400), 'day');
}

/** "Di., 24.11., 14:00–16:00" for a preferred callback window, in the agent's time. */
export function formatCallbackWindow(from: string, to: string | null, lang: 'de' | 'en'): string {
  const locale = lang === 'de' ? 'de-DE' : 'en-GB';
  const start = new Date(from);
  if (Number.isNaN(start.getTime())) return '';
  const day = new Intl.DateTimeFormat(locale, { weekday: 'short', day: '2-digit', month: '2-digit' }).format(start);
  const time = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' });
  return to ? `${day}, ${time.format(start)}–${time.format(new Date(to))}` : `${day}, ${time.format(start)}`;
}
