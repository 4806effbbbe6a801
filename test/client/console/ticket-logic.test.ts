import assert from 'node:assert/strict';
import {
  activeFilterCount,
  applyTicket,
  compareTickets,
  defaultFilters,
  listQuery,
  matchesFilters,
  relativeTime,
  slaLine,
} from '../../../client/console/lib/ticket-logic.js';
import type { AgentTicket } from '../../../shared/schemas/tickets.js';

let nextId = 1;
function ticket(over: Partial<AgentTicket> = {}): AgentTicket {
  const id = over.id ?? nextId++;
  return {
    id,
    number: `ZT-2026-${String(id).padStart(6, '0')}`,
    kind: 'message',
    source: 'leave_message',
    status: 'new',
    urgency: 'limited_usability',
    departmentId: 1,
    assigneeId: null,
    assigneeName: null,
    substituteId: null,
    substituteName: null,
    conversationId: `c-${id}`,
    visitorId: `v-${id}`,
    name: 'Erika',
    email: null,
    customerNumber: null,
    product: null,
    language: 'de',
    subject: 'Router',
    callback: null,
    unanswered: true,
    sla: { firstResponseDueAt: null, firstRespondedAt: null, firstResponse: 'none', resolutionDueAt: null, resolvedAt: null, resolution: 'none' },
    escalation: 'none',
    createdAt: '2026-11-23T08:00:00.000Z',
    updatedAt: '2026-11-23T08:00:00.000Z',
    lastActivityAt: '2026-11-23T08:00:00.000Z',
    ...over,
  };
}

describe('console ticket logic', () => {
  it('turns the filters into a ticket:list query, leaving out what is not set', () => {
    assert.deepEqual(listQuery(defaultFilters(), 0, 25), { offset: 0, limit: 25, status: ['new', 'open', 'pending'] });
    const all = { status: [], urgency: ['show_stopper' as const], departmentId: 3, assignee: 'me' as const, kind: 'callback' as const, escalated: true };
    assert.deepEqual(listQuery(all, 50, 25), { offset: 50, limit: 25, urgency: ['show_stopper'], departmentId: [3], assignee: 'me', kind: 'callback', escalated: true });
    assert.equal(activeFilterCount(defaultFilters()), 0);
    assert.equal(activeFilterCount(all), 5);
    assert.equal(activeFilterCount({ ...defaultFilters(), assignee: 'none' }), 0, 'whose tickets is not a filter count');
  });

  it('matches pushed tickets against the filters like the server does', () => {
    const filters = defaultFilters();
    assert.equal(matchesFilters(ticket(), filters, 7), true);
    assert.equal(matchesFilters(ticket({ status: 'solved' }), filters, 7), false);
    assert.equal(matchesFilters(ticket({ assigneeId: 7 }), { ...filters, assignee: 'me' }, 7), true);
    assert.equal(matchesFilters(ticket({ assigneeId: 8, substituteId: 7 }), { ...filters, assignee: 'me' }, 7), true, 'standing in counts as mine');
    assert.equal(matchesFilters(ticket({ assigneeId: 8 }), { ...filters, assignee: 'none' }, 7), false);
    assert.equal(matchesFilters(ticket({ escalation: 'approaching' }), { ...filters, escalated: true }, 7), true);
    assert.equal(matchesFilters(ticket(), { ...filters, escalated: true }, 7), false);
    assert.equal(matchesFilters(ticket({ kind: 'callback' }), { ...filters, kind: 'message' }, 7), false);
  });

  it('orders unanswered first, then the longest waiting, and applies pushes to a page', () => {
    const old = ticket({ lastActivityAt: '2026-11-23T07:00:00.000Z', unanswered: false });
    const waiting = ticket({ lastActivityAt: '2026-11-23T09:00:00.000Z' });
    const longest = ticket({ lastActivityAt: '2026-11-23T06:00:00.000Z' });
    assert.deepEqual([old, waiting, longest].sort(compareTickets).map((t) => t.id), [longest.id, waiting.id, old.id]);

    const page = [longest, waiting];
    const added = applyTicket(page, old, true, { firstPage: true, limit: 25 });
    assert.deepEqual([added.tickets.map((t) => t.id), added.delta], [[longest.id, waiting.id, old.id], 1]);
    const answered = applyTicket(added.tickets, { ...longest, unanswered: false, lastActivityAt: '2026-11-23T10:00:00.000Z' }, true, { firstPage: true, limit: 25 });
    assert.deepEqual([answered.tickets.map((t) => t.id), answered.delta], [[waiting.id, old.id, longest.id], 0]);
    const gone = applyTicket(answered.tickets, { ...waiting, status: 'solved' }, false, { firstPage: true, limit: 25 });
    assert.deepEqual([gone.tickets.map((t) => t.id), gone.delta], [[old.id, longest.id], -1]);
    const later = applyTicket([old], waiting, true, { firstPage: false, limit: 25 });
    assert.deepEqual([later.tickets.map((t) => t.id), later.delta], [[old.id], 1], 'later pages do not shift, only the count');
    const full = applyTicket([longest], waiting, true, { firstPage: true, limit: 1 });
    assert.deepEqual(full.tickets.map((t) => t.id), [longest.id], 'a page keeps its size');
  });

  it('says how an SLA target stands', () => {
    assert.deepEqual(slaLine('none', null, null), { key: 'none', at: null });
    assert.deepEqual(slaLine('ok', '2026-11-23T10:00:00Z', null), { key: 'ok', at: '2026-11-23T10:00:00Z' });
    assert.deepEqual(slaLine('breached', '2026-11-23T10:00:00Z', null), { key: 'breached', at: '2026-11-23T10:00:00Z' });
    assert.deepEqual(slaLine('met', '2026-11-23T10:00:00Z', '2026-11-23T09:00:00Z'), { key: 'met', at: '2026-11-23T09:00:00Z' });
    assert.deepEqual(slaLine('breached', '2026-11-23T10:00:00Z', '2026-11-23T11:00:00Z'), { key: 'metLate', at: '2026-11-23T11:00:00Z' });
  });

  it('writes relative times, never in the future', () => {
    const now = Date.parse('2026-11-23T10:00:00Z');
    assert.equal(relativeTime('2026-11-23T09:55:00Z', now, 'en'), '5 min ago');
    assert.equal(relativeTime('2026-11-23T07:00:00Z', now, 'de'), 'vor 3 Std.');
    assert.equal(relativeTime('2026-11-23T10:00:30Z', now, 'en'), 'now');
  });
});
