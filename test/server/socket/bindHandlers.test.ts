import assert from 'node:assert/strict';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { z } from 'zod';
import type { Ack } from '../../../shared/ack.js';
import { defineEvent } from '../../../shared/contract.js';
import { delivered, Delivery, type Handlers } from '../../../server/src/features/handlers.js';
import { createMetrics } from '../../../server/src/metrics/metrics.js';
import { bindHandlers } from '../../../server/src/socket/bindHandlers.js';
import { Inflight } from '../../../server/src/socket/inflight.js';
import { captureLog } from '../../support/logCapture.js';

const contract = {
  'thing:save': defineEvent<{ saved: string }>()(z.object({ text: z.string() })),
  'thing:fail': defineEvent<{ saved: string }>()(z.object({})),
  'thing:plain': defineEvent<{ n: number }>()(z.object({})),
};

/**
 * The binder's promise to handlers: persist, ack, then deliver. A handler answers with its result,
 * or with a Delivery whose deliveries run only after the caller has its ack.
 */
describe('bindHandlers: one ack, deliveries after it', () => {
  let http: HttpServer;
  let client: Socket;
  const order: string[] = [];
  const capture = captureLog();

  before(async () => {
    http = createServer();
    const io = new Server(http);
    const handlers: Handlers<typeof contract, { push(text: string): void }> = {
      'thing:save': async ({ text }, ctx) =>
        delivered({
          saved: text,
          deliver: () => {
            if (text === 'boom') throw new Error('push failed');
            ctx.push(text);
          },
        }),
      'thing:fail': async () => new Delivery(Promise.reject(new Error('never')) as never, () => order.push('must not run')).result,
      'thing:plain': () => ({ n: 1 }),
    };
    io.on('connection', (socket) =>
      bindHandlers(socket, {
        namespace: '/',
        contract,
        handlers,
        context: { push: (text: string) => socket.emit('thing:saved', text) },
        log: capture.log,
        metrics: createMetrics(),
        budgets: { perConnection: 1000, shared: [] },
        inflight: new Inflight(),
        timeoutMs: 5000,
      }),
    );
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    client = connect(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, { transports: ['websocket'] });
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
  });
  after(() => {
    client.close();
    http.close();
  });
  const ask = (event: string, payload: unknown) => client.timeout(5000).emitWithAck(event, payload) as Promise<Ack<unknown>>;

  it('answers with the result alone and runs the deliveries after the ack', async () => {
    order.length = 0;
    // One connection keeps order: the push is seen after the ack only if it was sent after it.
    const pushed = new Promise<void>((resolve) => client.once('thing:saved', (text: string) => {
        order.push(`pushed ${text}`);
        resolve();
      }));
    // Noted in the ack callback itself: packets of one read are handled before promise continuations.
    const ack = await new Promise<Ack<unknown>>((resolve) =>
      client.emit('thing:save', { text: 'hello' }, (a: Ack<unknown>) => {
        order.push('acked');
        resolve(a);
      }),
    );
    assert.deepEqual(ack, { ok: true, data: { saved: 'hello' } }, 'no deliver function in the ack');
    await pushed;
    assert.deepEqual(order, ['acked', 'pushed hello']);
  });

  it('a failing delivery is logged with its event and never changes the ack', async () => {
    const before = capture.errors().length;
    assert.deepEqual(await ask('thing:save', { text: 'boom' }), { ok: true, data: { saved: 'boom' } });
    await ask('thing:plain', {});
    const logged = capture.errors().slice(before);
    assert.deepEqual(logged.map((l) => [l.event, l.msg]), [['thing:save', 'delivery after ack failed']]);
  });

  it('a handler that fails delivers nothing', async () => {
    order.length = 0;
    const ack = await ask('thing:fail', {});
    assert.equal(ack.ok, false);
    await ask('thing:plain', {});
    assert.deepEqual(order, []);
  });
});
