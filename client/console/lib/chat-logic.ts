import type { CannedResponse, CannedVariables } from '../../../shared/schemas/canned.js';
import { firstName } from '../../../shared/schemas/canned.js';
import type { AgentConversation, Message } from '../../../shared/schemas/chat.js';
import type { QueueEntry } from '../../../shared/schemas/routing.js';

import { highestId } from '../../lib/messages.js';

export { highestId, mergeMessages } from '../../lib/messages.js';

/** Messages the agent has not read yet: newer than `agentReadUpTo` and not written by an agent. */
export function unreadCount(messages: readonly Message[], agentReadUpTo: number): number {
  let count = 0;
  for (const message of messages) if (message.id > agentReadUpTo && message.senderType !== 'agent') count++;
  return count;
}

/**
 * Unread count for the chat list. Uses the loaded messages when there are any; otherwise the
 * conversation's own counters can only say "something is new" (1) or nothing (0).
 */
export function conversationUnread(conversation: AgentConversation, messages: readonly Message[] | undefined): number {
  if (messages && messages.length > 0) return unreadCount(messages, conversation.agentReadUpTo);
  return conversation.lastMessageId > conversation.agentReadUpTo ? 1 : 0;
}

/** The highest id worth reporting with `message:read`, or null when everything is read already. */
export function readTarget(messages: readonly Message[], agentReadUpTo: number): number | null {
  const top = highestId(messages);
  return top > agentReadUpTo ? top : null;
}

/** "04:07" below an hour, "1:02:09" above; negative durations count as 0. */
export function formatDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${two(m)}:${two(s)}`;
}

/** Whole seconds from an ISO timestamp to `now` (ms); 0 for bad input. */
export function secondsSince(iso: string | null | undefined, now: number): number {
  if (!iso) return 0;
  const then = Date.parse(iso);
  return Number.isNaN(then) ? 0 : Math.max(0, Math.floor((now - then) / 1000));
}

/** Whole seconds left until an ISO timestamp (never negative). */
export function secondsUntil(iso: string, now: number): number {
  const then = Date.parse(iso);
  return Number.isNaN(then) ? 0 : Math.max(0, Math.ceil((then - now) / 1000));
}

/** The "/query" the agent is typing at the start of the composer, or null when the picker is closed. */
export function cannedQuery(text: string): string | null {
  const match = /^\/(\S*)$/.exec(text);
  return match ? (match[1] ?? '').toLowerCase() : null;
}

/**
 * Canned responses for the picker: those of the conversation's department or of all
 * departments, matching the query. Shortcut prefix matches first, then other matches, each
 * group sorted by shortcut.
 */
export function filterCanned(responses: readonly CannedResponse[], query: string, departmentId: number | null): CannedResponse[] {
  const q = query.trim().toLowerCase();
  const usable = responses.filter((r) => r.departmentId === null || departmentId === null || r.departmentId === departmentId);
  const prefix: CannedResponse[] = [];
  const other: CannedResponse[] = [];
  for (const response of usable) {
    const shortcut = response.shortcut.toLowerCase();
    if (shortcut.startsWith(q)) prefix.push(response);
    else if (shortcut.includes(q) || response.title.toLowerCase().includes(q)) other.push(response);
  }
  const byShortcut = (a: CannedResponse, b: CannedResponse) => a.shortcut.localeCompare(b.shortcut);
  return [...prefix.sort(byShortcut), ...other.sort(byShortcut)];
}

/** Values for renderCanned from what the console knows. */
export function cannedVariablesFor(visitorName: string | null, agentName: string, departmentName: string | null): CannedVariables {
  return {
    'visitor.name': visitorName ?? '',
    'visitor.firstName': firstName(visitorName),
    'agent.name': agentName,
    'agent.firstName': firstName(agentName),
    'department.name': departmentName ?? '',
  };
}

/** Moves a highlighted index through a list of `length` items, wrapping around. */
export function moveIndex(index: number, delta: number, length: number): number {
  if (length <= 0) return 0;
  return (((index + delta) % length) + length) % length;
}

/** Replaces one department's waiting chats (from `queue:changed`) and keeps the rest. */
export function replaceDepartmentQueue(current: readonly QueueEntry[], departmentId: number, entries: readonly QueueEntry[]): QueueEntry[] {
  return sortQueue([...current.filter((entry) => entry.departmentId !== departmentId), ...entries]);
}

/** Longest waiting first (higher priority first when the server says so), stable by id. */
export function sortQueue(entries: readonly QueueEntry[]): QueueEntry[] {
  return [...entries].sort(
    (a, b) =>
      b.priority - a.priority ||
      Date.parse(a.waitingSince) - Date.parse(b.waitingSince) ||
      a.conversationId.localeCompare(b.conversationId),
  );
}

/** "12,4 KB" style sizes for attachments. */
export function formatBytes(bytes: number, lang: 'de' | 'en'): string {
  const locale = lang === 'de' ? 'de-DE' : 'en-GB';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(value)} ${units[unit]}`;
}

/** Language code to a name in the UI language ("de" → "Deutsch" / "German"). */
export function languageName(code: string, uiLanguage: 'de' | 'en'): string {
  try {
    return new Intl.DisplayNames([uiLanguage], { type: 'language' }).of(code) ?? code;
  } catch {
    return code;
  }
}

/**
 * Decides when to tell the server "agent is typing": at most one `true` per `throttleMs` while
 * typing, and a `false` after `idleMs` without input or at once on send/blur.
 */
export class TypingSender {
  #typing = false;
  #lastTrueAt = -Infinity;
  #idleTimer: ReturnType<typeof setTimeout> | null = null;
  readonly #emit: (typing: boolean) => void;
  readonly #throttleMs: number;
  readonly #idleMs: number;
  readonly #now: () => number;
  readonly #setTimer: (fn: () => void, ms: number) => ReturnType<typeof setTimeout>;
  readonly #clearTimer: (timer: ReturnType<typeof setTimeout>) => void;

  constructor(
    emit: (typing: boolean) => void,
    options: {
      throttleMs?: number;
      idleMs?: number;
      now?: () => number;
      setTimer?: (fn: () => void, ms: number) => ReturnType<typeof setTimeout>;
      clearTimer?: (timer: ReturnType<typeof setTimeout>) => void;
    } = {},
  ) {
    this.#emit = emit;
    this.#throttleMs = options.throttleMs ?? 2_000;
    this.#idleMs = options.idleMs ?? 3_000;
    this.#now = options.now ?? Date.now;
    this.#setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.#clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer));
  }

  /** The composer's text changed. An empty composer counts as "stopped typing". */
  input(text: string): void {
    if (text.trim() === '') {
      this.stop();
      return;
    }
    const now = this.#now();
    if (!this.#typing || now - this.#lastTrueAt >= this.#throttleMs) {
      this.#typing = true;
      this.#lastTrueAt = now;
      this.#emit(true);
    }
    if (this.#idleTimer !== null) this.#clearTimer(this.#idleTimer);
    this.#idleTimer = this.#setTimer(() => this.stop(), this.#idleMs);
  }

  stop(): void {
    if (this.#idleTimer !== null) this.#clearTimer(this.#idleTimer);
    this.#idleTimer = null;
    if (!this.#typing) return;
    this.#typing = false;
    this.#lastTrueAt = -Infinity;
    this.#emit(false);
  }
}
