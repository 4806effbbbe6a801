import assert from 'node:assert/strict';
import type { ClientAck, ClientError } from '../../../client/lib/errors.js';
import { Outbox, retryDelay, RETRY_POLICY, type OutboxEntry, type RetryPolicy } from '../../../client/lib/outbox.js';

interface Item extends OutboxEntry {
  text: string;
}

/** A send the test answers by hand, so it decides when and how each request ends. */
interface Pending {
  item: Item;
  answer(result: ClientAck<{ echo: string }>): void;
}

const lost: ClientError = { code: 'TIMEOUT', message: 'operation has timed out' };
const dropped: ClientError = { code: 'NETWORK', message: 'socket has been disconnected' };
const refused: ClientError = { code: 'VALIDATION_FAILED', message: 'text too long' };
/** Retries after 1-2 ms, so a test waits for them by observing the next send, not by sleeping. */
const FAST: RetryPolicy = { maxAttempts: 3, baseDelayMs: 2, maxDelayMs: 4 };

function harness(policy = FAST) {
  let items: Item[] = [];
  let online = true;
  const sends: Pending[] = [];
  const waiters: (() => void)[] = [];
  const sent: string[] = [];
  const outbox = new Outbox<Item, { echo: string }>(
    { get: () => items, set: (next) => (items = next) },
    {
      send: (item) => {
        if (!online) return null;
        return new Promise((resolve) => {
          sends.push({ item, answer: resolve });
          waiters.splice(0).forEach((wake) => wake());
        });
      },
      sent: (item, data) => sent.push(`${item.text}:${data.echo}`),
    },
    policy,
  );
  /** Resolves when the n-th send (1-based) has gone out. */
  const nthSend = async (n: number): Promise<Pending> => {
    while (sends.length < n) await new Promise<void>((wake) => waiters.push(wake));
    return sends[n - 1]!;
  };
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return {
    outbox,
    sends,
    sent,
    nthSend,
    settle,
    items: () => items,
    setOnline: (value: boolean) => (online = value),
  };
}

describe('client outbox', () => {
  it('gives each item a client id, sends it once, and removes it when confirmed by the ack', async () => {
    const h = harness();
    h.outbox.add({ text: 'hello' });
    h.outbox.add({ text: 'again' });
    const [first, second] = h.items();
    assert.match(first!.clientId, /^[0-9a-f]{32}$/);
    assert.notEqual(first!.clientId, second!.clientId);
    assert.equal(first!.status, 'pending');
    (await h.nthSend(1)).answer({ ok: true, data: { echo: 'ok' } });
    await h.settle();
    assert.deepEqual(h.sent, ['hello:ok']);
    assert.deepEqual(h.items().map((item) => item.text), ['again']);
  });

  it('never has two sends of one item under way (flush and retry while in flight do nothing)', async () => {
    const h = harness();
    h.outbox.add({ text: 'once' });
    const clientId = h.items()[0]!.clientId;
    await h.nthSend(1);
    h.outbox.flush();
    h.outbox.retry(clientId);
    h.outbox.flush();
    await h.settle();
    assert.equal(h.sends.length, 1);
    h.sends[0]!.answer({ ok: true, data: { echo: 'ok' } });
    await h.settle();
    assert.equal(h.items().length, 0);
  });

  it('sends a lost request again with the same client id, then shows it as failed with the cause', async () => {
    const h = harness();
    h.outbox.add({ text: 'lost' });
    const clientId = h.items()[0]!.clientId;
    (await h.nthSend(1)).answer({ ok: false, error: lost });
    (await h.nthSend(2)).answer({ ok: false, error: dropped });
    (await h.nthSend(3)).answer({ ok: false, error: lost });
    await h.settle();
    assert.deepEqual(h.sends.map((send) => send.item.clientId), [clientId, clientId, clientId]);
    assert.equal(h.items()[0]!.status, 'failed');
    assert.deepEqual(h.items()[0]!.error, lost);
    assert.equal(h.sends.length, RETRY_POLICY.maxAttempts);
  });

  it('shows a refusal by the server as failed at once, and retry() starts a new round', async () => {
    const h = harness();
    h.outbox.add({ text: 'too long' });
    (await h.nthSend(1)).answer({ ok: false, error: refused });
    await h.settle();
    const item = h.items()[0]!;
    assert.equal(item.status, 'failed');
    assert.deepEqual(item.error, refused);
    assert.equal(h.sends.length, 1);

    h.outbox.retry(item.clientId);
    assert.equal(h.items()[0]!.status, 'pending');
    assert.equal(h.items()[0]!.error, null);
    (await h.nthSend(2)).answer({ ok: true, data: { echo: 'fixed' } });
    await h.settle();
    assert.deepEqual(h.sent, ['too long:fixed']);
    assert.equal(h.items().length, 0);
  });

  it('keeps items pending while offline and sends them on flush (the reconnect)', async () => {
    const h = harness();
    h.setOnline(false);
    h.outbox.add({ text: 'offline 1' });
    h.outbox.add({ text: 'offline 2' });
    h.outbox.flush();
    assert.equal(h.sends.length, 0);
    assert.deepEqual(h.items().map((item) => item.status), ['pending', 'pending']);
    h.setOnline(true);
    h.outbox.flush();
    (await h.nthSend(2)).answer({ ok: true, data: { echo: 'b' } });
    h.sends[0]!.answer({ ok: true, data: { echo: 'a' } });
    await h.settle();
    assert.deepEqual(h.sent.sort(), ['offline 1:a', 'offline 2:b']);
    assert.equal(h.items().length, 0);
  });

  it('drops items confirmed another way, and a late ack of one is still applied', async () => {
    const h = harness();
    h.outbox.add({ text: 'pushed' });
    const clientId = h.items()[0]!.clientId;
    const send = await h.nthSend(1);
    h.outbox.confirm([null, clientId]);
    assert.equal(h.items().length, 0);
    send.answer({ ok: true, data: { echo: 'late' } });
    await h.settle();
    assert.deepEqual(h.sent, ['pushed:late']);
  });

  it('does not re-send an item dropped while its retry waits', async () => {
    const h = harness({ maxAttempts: 3, baseDelayMs: 40, maxDelayMs: 40 });
    h.outbox.add({ text: 'discarded' });
    const clientId = h.items()[0]!.clientId;
    (await h.nthSend(1)).answer({ ok: false, error: lost });
    await h.settle();
    h.outbox.drop((item) => item.clientId === clientId);
    // Fence: the later item's third send waits out two backoffs of at least 20 ms each, so it goes
    // out after the dropped item's retry (at most 40 ms) would have.
    h.outbox.add({ text: 'fence' });
    (await h.nthSend(2)).answer({ ok: false, error: lost });
    (await h.nthSend(3)).answer({ ok: false, error: lost });
    (await h.nthSend(4)).answer({ ok: true, data: { echo: 'ok' } });
    await h.settle();
    assert.deepEqual(h.sends.map((send) => send.item.text), ['discarded', 'fence', 'fence', 'fence']);
  });

  it('backs off exponentially with a cap and jitter', () => {
    const policy: RetryPolicy = { maxAttempts: 10, baseDelayMs: 500, maxDelayMs: 8_000 };
    assert.equal(retryDelay(1, policy, () => 0), 250);
    assert.equal(retryDelay(1, policy, () => 1), 500);
    assert.equal(retryDelay(2, policy, () => 1), 1_000);
    assert.equal(retryDelay(3, policy, () => 1), 2_000);
    assert.equal(retryDelay(9, policy, () => 1), 8_000);
    assert.equal(retryDelay(9, policy, () => 0), 4_000);
    for (let n = 1; n < 12; n++) {
      const delay = retryDelay(n, policy);
      assert.ok(delay >= 250 && delay <= 8_000, `${n}: ${delay}`);
    }
  });
});
