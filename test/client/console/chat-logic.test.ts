import assert from 'node:assert/strict';
import {
  cannedQuery,
  cannedVariablesFor,
  conversationUnread,
  filterCanned,
  formatDuration,
  mergeMessages,
  moveIndex,
  readTarget,
  replaceDepartmentQueue,
  secondsSince,
  secondsUntil,
  TypingSender,
  unreadCount,
} from '../../../client/console/lib/chat-logic.js';
import { renderCanned, type CannedResponse } from '../../../shared/schemas/canned.js';
import type { AgentConversation, Message } from '../../../shared/schemas/chat.js';
import type { QueueEntry } from '../../../shared/schemas/routing.js';

const message = (id: number, senderType: Message['senderType'], extra: Partial<Message> = {}): Message => ({
  id,
  conversationId: 'c1',
  clientId: null,
  senderType,
  senderName: null,
  body: `m${id}`,
  internal: false,
  attachment: null,
  createdAt: '2026-01-01T10:00:00.000Z',
  ...extra,
});

const canned = (id: number, shortcut: string, title: string, departmentId: number | null = null): CannedResponse => ({
  id,
  departmentId,
  shortcut,
  title,
  body: `body ${id}`,
});

const entry = (conversationId: string, departmentId: number, waitingSince: string, priority = 0): QueueEntry => ({
  conversationId,
  departmentId,
  visitorName: null,
  language: 'de',
  priority,
  waitingSince,
  offeredTo: null,
  position: 1,
});

describe('console chat logic', () => {
  it('merges messages by id, later copies win, in id order', () => {
    const merged = mergeMessages([message(3, 'visitor'), message(1, 'visitor')], [message(2, 'agent'), message(3, 'visitor', { body: 'new' })]);
    assert.deepEqual(merged.map((m) => m.id), [1, 2, 3]);
    assert.equal(merged[2]?.body, 'new');
  });

  it('counts unread messages not written by agents', () => {
    const messages = [message(1, 'visitor'), message(2, 'agent'), message(3, 'visitor'), message(4, 'agent', { internal: true }), message(5, 'system')];
    assert.equal(unreadCount(messages, 0), 3);
    assert.equal(unreadCount(messages, 3), 1);
    assert.equal(unreadCount(messages, 5), 0);
    assert.equal(readTarget(messages, 3), 5);
    assert.equal(readTarget(messages, 5), null);
  });

  it('falls back to the conversation counters when no messages are loaded', () => {
    const conversation = { lastMessageId: 9, agentReadUpTo: 4 } as AgentConversation;
    assert.equal(conversationUnread(conversation, undefined), 1);
    assert.equal(conversationUnread({ ...conversation, agentReadUpTo: 9 }, []), 0);
  });

  it('formats durations as mm:ss and h:mm:ss', () => {
    assert.equal(formatDuration(0), '00:00');
    assert.equal(formatDuration(65), '01:05');
    assert.equal(formatDuration(3599), '59:59');
    assert.equal(formatDuration(3723), '1:02:03');
    assert.equal(formatDuration(-5), '00:00');
  });

  it('computes seconds since and until timestamps', () => {
    const now = Date.parse('2026-01-01T10:00:30.000Z');
    assert.equal(secondsSince('2026-01-01T10:00:00.000Z', now), 30);
    assert.equal(secondsSince(null, now), 0);
    assert.equal(secondsSince('nonsense', now), 0);
    assert.equal(secondsUntil('2026-01-01T10:00:40.500Z', now), 11);
    assert.equal(secondsUntil('2026-01-01T10:00:00.000Z', now), 0);
  });

  it('opens the canned picker only for "/" at the start of a single word', () => {
    assert.equal(cannedQuery('/'), '');
    assert.equal(cannedQuery('/Gru'), 'gru');
    assert.equal(cannedQuery('/gruss und'), null);
    assert.equal(cannedQuery('hallo /gruss'), null);
    assert.equal(cannedQuery(''), null);
  });

  it('filters canned responses by department and query, prefix matches first', () => {
    const responses = [canned(1, 'danke', 'Dank'), canned(2, 'gruss', 'Begrüßung'), canned(3, 'tarif', 'Tarifwechsel', 2), canned(4, 'abgruss', 'Verabschiedung', 1)];
    assert.deepEqual(filterCanned(responses, '', 1).map((r) => r.id), [4, 1, 2]);
    assert.deepEqual(filterCanned(responses, 'gru', 1).map((r) => r.id), [2, 4]);
    assert.deepEqual(filterCanned(responses, 'wechsel', 2).map((r) => r.id), [3]);
    assert.deepEqual(filterCanned(responses, 'tarif', 1).map((r) => r.id), []);
  });

  it('fills canned variables from visitor, agent and department', () => {
    const vars = cannedVariablesFor('Max Mustermann', 'Petra Pflaume', 'Vertrieb');
    assert.equal(
      renderCanned('Hallo {visitor.firstName}, hier ist {agent.firstName} ({agent.name}) aus dem {department.name}.', vars),
      'Hallo Max, hier ist Petra (Petra Pflaume) aus dem Vertrieb.',
    );
    // An unknown visitor name stays visible for the agent to fix.
    assert.equal(renderCanned('Hallo {visitor.name}', cannedVariablesFor(null, 'A', null)), 'Hallo {visitor.name}');
  });

  it('moves a highlight with wrap-around', () => {
    assert.equal(moveIndex(0, -1, 3), 2);
    assert.equal(moveIndex(2, 1, 3), 0);
    assert.equal(moveIndex(1, 1, 3), 2);
    assert.equal(moveIndex(0, 1, 0), 0);
  });

  it('replaces the waiting chats of one department only', () => {
    const current = [entry('a', 1, '2026-01-01T10:00:00Z'), entry('b', 2, '2026-01-01T09:00:00Z')];
    const next = replaceDepartmentQueue(current, 1, [entry('c', 1, '2026-01-01T08:00:00Z'), entry('d', 1, '2026-01-01T11:00:00Z', 5)]);
    assert.deepEqual(next.map((e) => e.conversationId), ['d', 'c', 'b']);
    assert.deepEqual(replaceDepartmentQueue(next, 2, []).map((e) => e.conversationId), ['d', 'c']);
  });

  it('throttles typing and stops after idle or on demand', () => {
    let now = 0;
    const sent: boolean[] = [];
    const timers = new Map<number, () => void>();
    let nextTimer = 1;
    const typing = new TypingSender((value) => sent.push(value), {
      throttleMs: 2000,
      idleMs: 3000,
      now: () => now,
      setTimer: (fn) => {
        const id = nextTimer++;
        timers.set(id, fn);
        return id as unknown as ReturnType<typeof setTimeout>;
      },
      clearTimer: (id) => timers.delete(id as unknown as number),
    });
    typing.input('H');
    now = 500;
    typing.input('Ha');
    assert.deepEqual(sent, [true]);
    now = 2600;
    typing.input('Hal');
    assert.deepEqual(sent, [true, true]);
    // Idle: only the last timer is still armed; it sends false.
    assert.equal(timers.size, 1);
    [...timers.values()][0]!();
    assert.deepEqual(sent, [true, true, false]);
    typing.stop();
    assert.deepEqual(sent, [true, true, false], 'no second false');
    typing.input('x');
    typing.input('');
    assert.deepEqual(sent, [true, true, false, true, false]);
  });
});
