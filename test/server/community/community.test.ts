import assert from 'node:assert/strict';
import type { CommunityMe, CommunityMessage, CommunityReport } from '../../../shared/schemas/community.js';
import { clientId, eventually, makeAgent, makeDepartment } from '../../support/chatFixtures.js';
import { ask, closeAllSockets, connectCommunity, emitRaw, eventWhere, expectOk, nextEvent, noEvent, visitorSession, type CommunitySocket } from '../../support/clients.js';
import { describeEachDb, describeEachTarget } from '../../support/dbTargets.js';
import { startTestServer, TestClock, type TestServer } from '../../support/server.js';

describeEachTarget('community: customers help customers, staff moderate', ({ db, redis }) => {
  let server: TestServer;
  let roomId: number;
  before(async () => {
    server = await startTestServer({ db, redis, env: { COMMUNITY_POSTS_PER_MINUTE: '4', COMMUNITY_POSTS_PER_ADDRESS_PER_MINUTE: '1000' } });
    roomId = (await server.zentrale.community.models.Room.create({ slug: 'router', name: 'Router & WLAN', createdAt: new Date() })).id;
  });
  after(() => server.close());
  afterEach(closeAllSockets);

  /** A visitor in the room under a display name. */
  async function visitor(name: string): Promise<{ socket: CommunitySocket; token: string; visitorId: string }> {
    const { token, visitorId } = await visitorSession(server.baseUrl);
    const socket = await connectCommunity(server.baseUrl, { token });
    expectOk(await ask(socket, 'community:profile', { displayName: name }));
    expectOk(await ask(socket, 'community:join', { roomId }));
    return { socket, token, visitorId };
  }
  async function staff(): Promise<{ socket: CommunitySocket; userId: number; name: string }> {
    const agent = await makeAgent(server, { memberships: [], available: false });
    const socket = await connectCommunity(server.baseUrl, { cookie: agent.cookie });
    expectOk(await ask(socket, 'community:join', { roomId }));
    return { socket, userId: agent.user.id, name: agent.user.name };
  }
  const post = (socket: CommunitySocket, text: string, parentId?: number) =>
    ask(socket, 'community:post', { roomId, clientId: clientId(), text, ...(parentId ? { parentId } : {}) });

  it('visitors see each other live: questions, a thread with replies, history pages, presence; retries are idempotent; text stays text', async () => {
    const a = await visitor('Anja');
    const b = await visitor('Ben');
    const present = await ask(b.socket, 'community:join', { roomId });
    assert.equal(present.ok && present.data.present, 2, 'two people in the room');

    const seen = nextEvent<CommunityMessage>(b.socket, 'community:message');
    const id = clientId();
    const question = expectOk(await ask(a.socket, 'community:post', { roomId, clientId: id, text: 'Mein WLAN bricht <b>ständig</b> ab' })).message;
    assert.equal((await seen).id, question.id);
    assert.equal(question.body, 'Mein WLAN bricht <b>ständig</b> ab', 'stored and sent as text');
    assert.deepEqual(question.author, { visitorId: a.visitorId, displayName: 'Anja', staff: false });
    const retry = expectOk(await ask(a.socket, 'community:post', { roomId, clientId: id, text: 'Mein WLAN bricht <b>ständig</b> ab' }));
    assert.equal(retry.duplicate, true);
    assert.equal(retry.message.id, question.id);

    const counted = eventWhere<CommunityMessage>(a.socket, 'community:updated', (m) => m.id === question.id, 3000);
    const reply = expectOk(await post(b.socket, 'Kanal 1, 6 oder 11 probieren', question.id)).message;
    assert.equal(reply.parentId, question.id);
    assert.equal((await counted).replyCount, 1, 'everyone sees the thread grow');
    const thread = expectOk(await ask(b.socket, 'community:thread', { messageId: reply.id }));
    assert.equal(thread.message.id, question.id, 'a reply opens its thread');
    assert.deepEqual(thread.replies.map((r) => r.body), ['Kanal 1, 6 oder 11 probieren']);
    const nested = await post(a.socket, 'verschachtelt', reply.id);
    assert.equal(!nested.ok && nested.error.reason, 'not_a_reply', 'threads are one level deep');

    const history = expectOk(await ask(a.socket, 'community:history', { roomId, beforeId: question.id + 1 }));
    assert.ok(history.messages.some((m) => m.id === question.id));
    assert.ok(!history.messages.some((m) => m.id === reply.id), 'history lists questions; replies live in threads');
  });

  it('needs a name (not one of the team’s) before posting, and keeps within length, links and rate limits', async () => {
    const { token } = await visitorSession(server.baseUrl);
    const socket = await connectCommunity(server.baseUrl, { token });
    expectOk(await ask(socket, 'community:join', { roomId }));
    const nameless = await post(socket, 'Hallo');
    assert.equal(!nameless.ok && nameless.error.reason, 'no_name');
    const reserved = await ask(socket, 'community:profile', { displayName: 'Support Team' });
    assert.equal(!reserved.ok && reserved.error.reason, 'name_reserved', 'nobody poses as the team');
    expectOk(await ask(socket, 'community:profile', { displayName: 'Carla' }));
    const long = await emitRaw(socket, 'community:post', { roomId, clientId: clientId(), text: 'x'.repeat(2001) });
    assert.equal(!long.ok && long.error.code, 'VALIDATION_FAILED');
    const links = await post(socket, 'http://a.example http://b.example www.c.com');
    assert.equal(!links.ok && links.error.reason, 'too_many_links');
    for (let i = 0; i < 4; i++) expectOk(await post(socket, `Beitrag ${i}`));
    const limited = await post(socket, 'noch einer');
    assert.equal(!limited.ok && limited.error.code, 'RATE_LIMITED');
    assert.ok(!limited.ok && (limited.error.retryAfterSeconds ?? 0) > 0);
    assert.ok(socket.connected, 'refusals never cost the connection');
  });

  it('names that pass for the team are refused also as look-alikes, and so are the team’s own names', async () => {
    await server.createUser({ name: 'Tom Becker' });
    const { token } = await visitorSession(server.baseUrl);
    const socket = await connectCommunity(server.baseUrl, { token });
    for (const displayName of ['Suppоrt' /* Cyrillic о */, 'Аdmin Team' /* Cyrillic А */, 'Support2', 'S u p p o r t', 'SUPP0RT', 'ｓｕｐｐｏｒｔ', 'Tom Becker', 'T0m  Becker', 'becker tom', 'Tom Becker Fan']) {
      const refused = await ask(socket, 'community:profile', { displayName });
      assert.equal(refused.ok ? 'accepted' : `${refused.error.code}:${refused.error.reason}`, 'CONFLICT:name_reserved', displayName);
    }
    assert.equal(expectOk(await ask(socket, 'community:rooms', {})).me.displayName, null, 'none of them was stored');
    assert.equal(expectOk(await ask(socket, 'community:profile', { displayName: 'Tomke Berg' })).me.displayName, 'Tomke Berg');
  });

  it('counts links as clients link them: bare domains, glued links and look-alike dots count', async () => {
    const { token } = await visitorSession(server.baseUrl);
    const socket = await connectCommunity(server.baseUrl, { token });
    expectOk(await ask(socket, 'community:profile', { displayName: 'Linus' }));
    for (const text of [
      'billig-router.com bester-preis.net gratis-wlan.org',
      'http://a.comhttp://b.comhttp://c.com',
      'www.a.comwww.b.comwww.c.com',
      'a.comb.comc.com',
      'a.com,b.org;c.net',
      'ｓｐａｍ．ｃｏｍ spam。net sp\u200bam.org',
      'schreib mir: a@b.de, c@d.de oder e@f.de',
    ]) {
      const refused = await post(socket, text);
      assert.equal(!refused.ok && refused.error.reason, 'too_many_links', text);
    }
    expectOk(await post(socket, 'Siehe https://example.de/faq und www.example.de (Version 1.2.3, z.B. so)'));
  });

  it('only staff moderate; pins, accepted answers and deletions reach everyone', async () => {
    const a = await visitor('Dora');
    const b = await visitor('Emil');
    const team = await staff();
    const question = expectOk(await post(a.socket, 'Wie richte ich Mesh ein?')).message;
    const answer1 = expectOk(await post(b.socket, 'Über die App')).message;
    void answer1;
    const r1 = expectOk(await post(b.socket, 'Über die App', question.id)).message;
    const r2 = expectOk(await post(team.socket, 'Offizielle Anleitung: Menü > Mesh', question.id)).message;
    assert.equal(r2.author.staff, true, 'staff posts carry the badge');
    assert.equal(r2.author.displayName, team.name);

    for (const [event, payload] of [
      ['community:delete', { messageId: question.id }],
      ['community:pin', { messageId: question.id, on: true }],
      ['community:accept', { messageId: r1.id, on: true }],
      ['community:sanction', { visitorId: b.visitorId, kind: 'mute', minutes: 5 }],
      ['community:reports', {}],
      ['community:sanctions', {}],
    ] as const) {
      const refused = await emitRaw(a.socket, event, payload);
      assert.equal(!refused.ok && refused.error.code, 'FORBIDDEN', `${event} is for staff`);
    }

    const pinned = eventWhere<CommunityMessage>(b.socket, 'community:updated', (m) => m.id === question.id && m.pinned, 3000);
    expectOk(await ask(team.socket, 'community:pin', { messageId: question.id, on: true }));
    await pinned;
    expectOk(await ask(team.socket, 'community:accept', { messageId: r1.id, on: true }));
    const moved = eventWhere<CommunityMessage>(a.socket, 'community:updated', (m) => m.id === r1.id && !m.accepted, 3000);
    const accepted = expectOk(await ask(team.socket, 'community:accept', { messageId: r2.id, on: true })).message;
    assert.equal(accepted.accepted, true);
    await moved;
    const thread = expectOk(await ask(a.socket, 'community:thread', { messageId: question.id }));
    assert.deepEqual(thread.replies.filter((r) => r.accepted).map((r) => r.id), [r2.id], 'one accepted answer per thread');
    const notReply = await ask(team.socket, 'community:accept', { messageId: question.id, on: true });
    assert.equal(!notReply.ok && notReply.error.reason, 'not_a_reply');

    const gone = eventWhere<CommunityMessage>(a.socket, 'community:updated', (m) => m.id === r1.id && m.deleted, 3000);
    expectOk(await ask(team.socket, 'community:delete', { messageId: r1.id }));
    const removed = await gone;
    assert.equal(removed.body, '', 'nobody sees a deleted message’s text');
    const joined = expectOk(await ask(b.socket, 'community:join', { roomId }));
    assert.ok(joined.pinned.some((m) => m.id === question.id), 'pinned messages come with the room');
  });

  it('reports reach the team’s queue once per visitor; resolving deletes or dismisses', async () => {
    const a = await visitor('Fritz');
    const b = await visitor('Gina');
    const c = await visitor('Hans');
    const team = await staff();
    const spam = expectOk(await post(a.socket, 'Billig Router kaufen!!!')).message;
    const reported = nextEvent<CommunityReport>(team.socket, 'community:reported');
    expectOk(await ask(b.socket, 'community:report', { messageId: spam.id, reason: 'Werbung' }));
    assert.equal((await reported).message.id, spam.id);
    expectOk(await ask(b.socket, 'community:report', { messageId: spam.id }));
    expectOk(await ask(c.socket, 'community:report', { messageId: spam.id }));
    const queue = expectOk(await ask(team.socket, 'community:reports', {})).reports;
    const entry = queue.find((r) => r.message.id === spam.id)!;
    assert.equal(entry.reports, 2, 'two visitors, counted once each');
    assert.equal(entry.reason, 'Werbung');
    const gone = eventWhere<CommunityMessage>(c.socket, 'community:updated', (m) => m.id === spam.id && m.deleted, 3000);
    expectOk(await ask(team.socket, 'community:report:resolve', { reportId: entry.id, action: 'delete' }));
    await gone;
    assert.ok(!expectOk(await ask(team.socket, 'community:reports', {})).reports.some((r) => r.message.id === spam.id), 'resolved');
  });

  it('a muted visitor reads but cannot post (and is told); a banned one is put out and kept out, also under a new token from the same address', async () => {
    const a = await visitor('Ida');
    const b = await visitor('Jan');
    const team = await staff();
    const told = nextEvent<CommunityMe & { kind: string }>(a.socket, 'community:sanctioned');
    const { sanction } = expectOk(await ask(team.socket, 'community:sanction', { visitorId: a.visitorId, kind: 'mute', minutes: 10, reason: 'Ton' }));
    const notice = await told;
    assert.equal(notice.kind, 'mute');
    assert.ok(notice.muted);
    const refused = await post(a.socket, 'Hallo?');
    assert.equal(!refused.ok && refused.error.reason, 'muted');
    const seenByA = nextEvent<CommunityMessage>(a.socket, 'community:message');
    expectOk(await post(b.socket, 'Ich darf noch'));
    assert.equal((await seenByA).body, 'Ich darf noch', 'muted visitors still read');
    assert.ok(expectOk(await ask(team.socket, 'community:sanctions', {})).sanctions.some((s) => s.id === sanction.id));
    expectOk(await ask(team.socket, 'community:sanction:lift', { sanctionId: sanction.id }));
    expectOk(await post(a.socket, 'Wieder da'));

    const disconnected = new Promise<void>((resolve) => b.socket.once('disconnect', () => resolve()));
    const ban = expectOk(await ask(team.socket, 'community:sanction', { visitorId: b.visitorId, kind: 'ban', minutes: 60 })).sanction;
    await disconnected;
    await assert.rejects(connectCommunity(server.baseUrl, { token: b.token }), /FORBIDDEN/, 'kept out');
    const fresh = await visitorSession(server.baseUrl);
    await assert.rejects(connectCommunity(server.baseUrl, { token: fresh.token }), /FORBIDDEN/, 'a new token from the same address does not help');
    const neighbour = await connectCommunity(server.baseUrl, { token: a.token });
    assert.ok(neighbour.connected, 'someone behind the same address who had their name before the ban is not caught');
    // Every test visitor shares 127.0.0.1: lifting the ban lets the address back in.
    expectOk(await ask(team.socket, 'community:sanction:lift', { sanctionId: ban.id }));
    await connectCommunity(server.baseUrl, { token: b.token });
  });

  it('“ask an agent” takes a thread to a private chat through routing, the thread linked', async () => {
    const dept = await makeDepartment(server);
    const agent = await makeAgent(server, { memberships: [{ departmentId: dept }] });
    const a = await visitor('Karl');
    const question = expectOk(await post(a.socket, 'Mein Vertrag wurde doppelt abgerechnet')).message;
    const offered = agent.nextOffer(5000);
    const started = expectOk(await ask(a.socket, 'community:ask-agent', { messageId: question.id, clientId: clientId(), departmentId: dept, language: 'de', text: 'Bitte privat klären' }));
    assert.equal(started.conversation.status, 'queued');
    assert.equal(started.ticket, null);
    const offer = await offered;
    assert.equal(offer.conversationId, started.conversation.id);
    assert.match(offer.preview, /Bitte privat klären/);
    assert.match(offer.preview, /doppelt abgerechnet/, 'the agent sees the thread’s question');
    const detail = expectOk(await ask(agent.socket, 'offer:accept', { conversationId: offer.conversationId }));
    assert.match(detail.conversation.visitor.page ?? '', new RegExp(`/community/#/thread/${question.id}$`), 'the thread is linked');
    assert.equal(detail.conversation.visitor.name, 'Karl');
  });

  it('presence counts people in the room, pushed as they come and go', async () => {
    const a = await visitor('Lena');
    const counts: number[] = [];
    a.socket.on('community:presence', (p) => counts.push(p.present));
    const b = await visitor('Mia');
    await eventually(() => counts.at(-1) === 2, 3000, 'two present');
    b.socket.disconnect();
    await eventually(() => counts.at(-1) === 1, 3000, 'one present');
    await noEvent(a.socket, 'community:message');
  });
});

describeEachDb('community: a mute holds like a ban, also for the address, within bounds', (db) => {
  let server: TestServer;
  let roomId: number;
  const clock = new TestClock();
  before(async () => {
    server = await startTestServer({ db, clock });
    roomId = (await server.zentrale.community.models.Room.create({ slug: 'mute', name: 'Mute', createdAt: clock.now() })).id;
  });
  after(() => server.close());
  afterEach(closeAllSockets);

  async function visitor(name: string): Promise<{ socket: CommunitySocket; visitorId: string }> {
    const { token, visitorId } = await visitorSession(server.baseUrl);
    const socket = await connectCommunity(server.baseUrl, { token });
    expectOk(await ask(socket, 'community:profile', { displayName: name }));
    return { socket, visitorId };
  }
  const post = (socket: CommunitySocket, text: string) => ask(socket, 'community:post', { roomId, clientId: clientId(), text });

  it('a new token from the muted visitor’s address stays muted for up to a day; those named before the mute are spared', async () => {
    const agent = await makeAgent(server, { memberships: [], available: false });
    const team = await connectCommunity(server.baseUrl, { cookie: agent.cookie });
    const muted = await visitor('Nora');
    const neighbour = await visitor('Otto');
    clock.advance(1000);
    expectOk(await ask(team, 'community:sanction', { visitorId: muted.visitorId, kind: 'mute', minutes: 3 * 24 * 60 }));
    clock.advance(1000);

    const again = await visitor('Nora Neu');
    const refused = await post(again.socket, 'Bin wieder da');
    assert.equal(!refused.ok && refused.error.reason, 'muted', 'a fresh token from the same address does not get round the mute');
    assert.ok(expectOk(await ask(again.socket, 'community:rooms', {})).me.muted, 'and is told so');
    expectOk(await post(neighbour.socket, 'Ich war vorher da'));

    // The address part lasts a day (an address is shared); the visitor's own mute lasts its term.
    clock.advance(25 * 3600_000);
    const later = await visitor('Pia');
    expectOk(await post(later.socket, 'Einen Tag später'));
    const still = await post(muted.socket, 'Und ich?');
    assert.equal(!still.ok && still.error.reason, 'muted');
  });
});
