import assert from 'node:assert/strict';
import type { Ack } from '../../../shared/ack.js';
import { closeAllSockets, connectVisitor, emitRaw, nextEvent, request, visitorSession, type VisitorSocket } from '../../support/clients.js';
import { describeEachTarget } from '../../support/dbTargets.js';
import { startTestServer, type TestServer } from '../../support/server.js';

/** Any event costs a point of every budget before it is looked at; an unknown one is the cheapest to send. */
const poke = (socket: VisitorSocket) => emitRaw(socket, 'nothing:here', {});
const limited = (acks: Ack<unknown>[]) => acks.filter((a) => !a.ok && a.error.code === 'RATE_LIMITED').length;
const served = (acks: Ack<unknown>[]) => acks.filter((a) => !a.ok && a.error.code === 'UNKNOWN_EVENT').length;

async function refusals(server: TestServer, limit: string): Promise<number> {
  const res = await fetch(`${server.baseUrl}/metrics`, { headers: { authorization: 'Bearer metrics-test-token' } });
  const text = await res.text();
  return Number(new RegExp(`zentrale_limit_refusals_total\\{limit="${limit}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
}

describeEachTarget('event budgets and connection caps per visitor and per address', (target) => {
  let server: TestServer;
  afterEach(async () => {
    closeAllSockets();
    await server.close();
  });
  const start = (env: Record<string, string>) =>
    startTestServer({ db: target.db, redis: target.redis, env: { METRICS_TOKEN: 'metrics-test-token', ...env } }).then((s) => (server = s));

  it('one visitor on five sockets shares one budget: more sockets buy no more events', async () => {
    await start({ SOCKET_EVENTS_PER_VISITOR_PER_10S: '40', SOCKET_EVENTS_PER_10S: '1000' });
    const { token } = await visitorSession(server.baseUrl);
    const sockets = await Promise.all(Array.from({ length: 5 }, () => connectVisitor(server.baseUrl, token)));
    const acks = await Promise.all(sockets.flatMap((s) => Array.from({ length: 20 }, () => poke(s))));
    assert.equal(served(acks), 40);
    assert.equal(limited(acks), 60);
    const refused = acks.find((a) => !a.ok && a.error.code === 'RATE_LIMITED');
    assert.ok(refused && !refused.ok && refused.error.retryAfterSeconds! > 0);
    assert.equal(await refusals(server, 'events:visitor'), 60);
  });

  it('visitors from one address share the address budget', async () => {
    await start({ SOCKET_EVENTS_PER_ADDRESS_PER_10S: '30', SOCKET_EVENTS_PER_VISITOR_PER_10S: '1000' });
    const sockets = await Promise.all(Array.from({ length: 3 }, async () => connectVisitor(server.baseUrl, (await visitorSession(server.baseUrl)).token)));
    const acks = await Promise.all(sockets.flatMap((s) => Array.from({ length: 20 }, () => poke(s))));
    assert.equal(served(acks), 30);
    assert.equal(limited(acks), 30);
  });

  it('caps open connections per visitor and per address; a closed one frees its place', async () => {
    await start({ CONNECTIONS_PER_VISITOR: '3', CONNECTIONS_PER_ADDRESS: '5' });
    const { token } = await visitorSession(server.baseUrl);
    const mine = await Promise.all(Array.from({ length: 3 }, () => connectVisitor(server.baseUrl, token)));
    await assert.rejects(connectVisitor(server.baseUrl, token), /RATE_LIMITED/);
    const closed = nextEvent(mine[0]!, 'disconnect');
    mine[0]!.close();
    await closed;
    // The server learns of the close asynchronously: the place frees once it has.
    let again: VisitorSocket | null = null;
    for (let i = 0; i < 50 && !again; i++) again = await connectVisitor(server.baseUrl, token).catch(() => null);
    assert.ok(again, 'admitted once the closed connection is released');

    const others = await Promise.all(Array.from({ length: 2 }, async () => connectVisitor(server.baseUrl, (await visitorSession(server.baseUrl)).token)));
    assert.equal(others.length, 2);
    await assert.rejects(connectVisitor(server.baseUrl, (await visitorSession(server.baseUrl)).token), /RATE_LIMITED/, 'five from this address');
    assert.equal(await refusals(server, 'connections:visitor'), 1);
    assert.equal(await refusals(server, 'connections:address'), 1);
  });

  it('cuts off a connection flooding at twice its budget; a bystander is still served', async () => {
    await start({ SOCKET_EVENTS_PER_10S: '50' });
    const flooder = await connectVisitor(server.baseUrl, (await visitorSession(server.baseUrl)).token);
    const bystander = await connectVisitor(server.baseUrl, (await visitorSession(server.baseUrl)).token);
    const cut = nextEvent<string>(flooder, 'disconnect', 10_000);
    const raw = flooder as unknown as { emit(event: string, payload: unknown): void };
    for (let i = 0; i < 2000; i++) raw.emit('nothing:here', {});
    assert.equal(await cut, 'io server disconnect');
    assert.equal(served([await poke(bystander)]), 1, 'the bystander is served');
    assert.equal(await refusals(server, 'events:flood'), 1);
  });
});

describeEachTarget('metrics of refusals', (target) => {
  it('counts refusals by limit name in /metrics', async () => {
    const server = await startTestServer({ db: target.db, redis: target.redis, env: { CONNECTIONS_PER_VISITOR: '1', METRICS_TOKEN: 'metrics-test-token' } });
    try {
      const { token } = await visitorSession(server.baseUrl);
      await connectVisitor(server.baseUrl, token);
      await assert.rejects(connectVisitor(server.baseUrl, token), /RATE_LIMITED/);
      assert.equal(await refusals(server, 'connections:visitor'), 1);
      const metrics = await request(server.baseUrl, 'GET', '/metrics');
      assert.ok(metrics.status === 401 || metrics.status === 403, 'metrics need the token when one is set');
    } finally {
      closeAllSockets();
      await server.close();
    }
  });
});
