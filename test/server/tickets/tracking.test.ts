import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Message } from '../../../shared/schemas/chat.js';
import type { TrackedTicket, VisitorTicket } from '../../../shared/schemas/tickets.js';
import { clientId, makeAgent } from '../../support/chatFixtures.js';
import { ask, closeAllSockets, connectVisitor, expectOk, nextEvent, request } from '../../support/clients.js';
import { describeEachDb } from '../../support/dbTargets.js';
import { TestClock, type TestServer } from '../../support/server.js';
import { fallbackDepartment, leaveMessage, ticketServer, tokenOf } from './helpers.js';

describeEachDb('ticket tracking and the visitor’s view', (db) => {
  let server: TestServer;
  const clock = new TestClock();
  before(async () => {
    server = await ticketServer({ db, clock, env: { TICKET_LINK_TTL_DAYS: '30' } });
  });
  after(() => server.close());
  afterEach(closeAllSockets);

  const track = (token: string) => request<{ ticket: TrackedTicket }>(server.baseUrl, 'GET', `/api/public/tickets/${token}`);

  it('shows status and the public thread, never a note; a comment from the page reaches the agents and reopens', async () => {
    const dept = await fallbackDepartment(server);
    const agent = await makeAgent(server, { memberships: [{ departmentId: dept }], available: false });
    const { created } = await leaveMessage(server, dept, { text: 'Der Drucker druckt nicht.' });
    const token = tokenOf(created.trackingUrl);
    expectOk(await ask(agent.socket, 'ticket:note', { ticketId: created.ticket.id, clientId: clientId(), text: 'INTERN: Garantie abgelaufen' }));
    expectOk(await ask(agent.socket, 'ticket:reply', { ticketId: created.ticket.id, clientId: clientId(), text: 'Bitte starten Sie ihn neu.', status: 'solved' }));

    const res = await track(token);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const tracked = res.body.ok ? res.body.data.ticket : null;
    assert.equal(tracked?.number, created.ticket.number);
    assert.equal(tracked?.status, 'solved');
    assert.deepEqual(tracked?.messages.filter((m) => m.senderType !== 'system').map((m) => m.body), ['Der Drucker druckt nicht.', 'Bitte starten Sie ihn neu.']);
    assert.ok(!JSON.stringify(res.body).includes('INTERN'), 'no note on the tracking page');

    const pushed = nextEvent<{ ticketId: number; message: Message }>(agent.socket, 'ticket:message');
    const id = clientId();
    const comment = await request<{ message: Message; duplicate: boolean }>(server.baseUrl, 'POST', `/api/public/tickets/${token}/comments`, { body: { clientId: id, text: 'Hat nicht geholfen.' } });
    assert.equal(comment.status, 201);
    assert.equal((await pushed).message.body, 'Hat nicht geholfen.');
    const retried = await request<{ message: Message; duplicate: boolean }>(server.baseUrl, 'POST', `/api/public/tickets/${token}/comments`, { body: { clientId: id, text: 'Hat nicht geholfen.' } });
    assert.deepEqual([retried.status, retried.body.ok && retried.body.data.duplicate], [200, true]);
    const detail = expectOk(await ask(agent.socket, 'ticket:get', { ticketId: created.ticket.id }));
    assert.deepEqual([detail.ticket.status, detail.ticket.unanswered], ['open', true], 'reopened and waiting for an answer');
    assert.equal(detail.messages.filter((m) => m.body === 'Hat nicht geholfen.').length, 1);
  });

  it('answers a wrong, guessed, malformed or expired token with the same plain 404', async () => {
    const dept = await fallbackDepartment(server);
    const { created } = await leaveMessage(server, dept);
    const token = tokenOf(created.trackingUrl);
    const guessed = randomBytes(32).toString('base64url');
    const bodies = [];
    for (const t of [guessed, `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`, 'kurz', `${token}x`]) {
      const res = await track(t);
      assert.equal(res.status, 404, t);
      bodies.push(JSON.stringify(res.body));
      const post = await request(server.baseUrl, 'POST', `/api/public/tickets/${t}/comments`, { body: { clientId: clientId(), text: 'Hallo?' } });
      assert.equal(post.status, 404);
    }
    assert.equal(new Set(bodies).size, 1, 'no hints: every refusal looks the same');
    assert.equal(bodies[0], JSON.stringify({ ok: false, error: { code: 'NOT_FOUND', message: 'Not found.' } }));

    assert.equal((await track(token)).status, 200);
    clock.advance(31 * 86_400_000);
    const expired = await track(token);
    assert.equal(expired.status, 404);
    assert.equal(JSON.stringify(expired.body), bodies[0]);
  });

  it('a visitor sees their own tickets when they come back, with public replies; another visitor sees nothing of them', async () => {
    const dept = await fallbackDepartment(server);
    const agent = await makeAgent(server, { memberships: [{ departmentId: dept }], available: false });
    const owner = await leaveMessage(server, dept, { text: 'Wann kommt meine Lieferung?' });
    owner.socket.close();
    expectOk(await ask(agent.socket, 'ticket:note', { ticketId: owner.created.ticket.id, clientId: clientId(), text: 'INTERN: Spedition anrufen' }));
    expectOk(await ask(agent.socket, 'ticket:reply', { ticketId: owner.created.ticket.id, clientId: clientId(), text: 'Morgen zwischen 8 und 12 Uhr.' }));

    const back = await connectVisitor(server.baseUrl, owner.token);
    const list = expectOk(await ask(back, 'ticket:list', {}));
    assert.deepEqual(list.tickets.map((t) => t.number), [owner.created.ticket.number]);
    const got = expectOk(await ask(back, 'ticket:get', { ticketId: owner.created.ticket.id }));
    assert.ok(got.messages.some((m) => m.body === 'Morgen zwischen 8 und 12 Uhr.'));
    assert.ok(!JSON.stringify(got).includes('INTERN'), 'no note in the visitor view');
    assert.equal(got.trackingUrl, owner.created.trackingUrl);

    const live = nextEvent<{ ticketId: number; message: Message }>(back, 'ticket:message');
    const updated = nextEvent<VisitorTicket>(back, 'ticket:updated');
    const seen: string[] = [];
    back.onAny((event: string, payload: unknown) => seen.push(`${event}:${JSON.stringify(payload)}`));
    expectOk(await ask(agent.socket, 'ticket:note', { ticketId: owner.created.ticket.id, clientId: clientId(), text: 'INTERN: zweite Notiz' }));
    expectOk(await ask(agent.socket, 'ticket:reply', { ticketId: owner.created.ticket.id, clientId: clientId(), text: 'Update: schon heute.', status: 'pending' }));
    assert.equal((await live).message.body, 'Update: schon heute.');
    assert.equal((await updated).status, 'pending');
    assert.ok(!seen.some((e) => e.includes('INTERN')), 'no note pushed to the visitor');

    const stranger = await leaveMessage(server, dept);
    const peek = await ask(stranger.socket, 'ticket:get', { ticketId: owner.created.ticket.id });
    assert.equal(peek.ok ? 'ok' : peek.error.code, 'NOT_FOUND');
    const write = await ask(stranger.socket, 'ticket:comment', { ticketId: owner.created.ticket.id, clientId: clientId(), text: 'Hallo' });
    assert.equal(write.ok ? 'ok' : write.error.code, 'NOT_FOUND');
    assert.deepEqual(expectOk(await ask(stranger.socket, 'ticket:list', {})).tickets.map((t) => t.id), [stranger.created.ticket.id]);
    const commented = expectOk(await ask(back, 'ticket:comment', { ticketId: owner.created.ticket.id, clientId: clientId(), text: 'Danke!' }));
    assert.equal(commented.ticket.status, 'open');
  });

  it('limits requests per address', async () => {
    const limited = await ticketServer({ db, env: { PUBLIC_TICKET_REQUESTS_PER_MINUTE: '3' } });
    try {
      const guessed = randomBytes(32).toString('base64url');
      for (let i = 0; i < 3; i++) assert.equal((await request(limited.baseUrl, 'GET', `/api/public/tickets/${guessed}`)).status, 404);
      const blocked = await request(limited.baseUrl, 'GET', `/api/public/tickets/${guessed}`);
      assert.equal(blocked.status, 429);
      assert.ok(Number(blocked.headers.get('retry-after')) >= 1);
    } finally {
      await limited.close();
    }
  });
});
