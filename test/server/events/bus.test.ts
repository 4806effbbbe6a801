import assert from 'node:assert/strict';
import { createBus } from '../../../server/src/events/bus.js';
import { captureLog } from '../../support/logCapture.js';

const fact = (agentId: number) => ({ agentId, conversationId: `c${agentId}` });

describe('event bus: services publish facts, subscribers react', () => {
  it('hands each fact to its subscribers synchronously, in the order they subscribed', () => {
    const bus = createBus(captureLog().log);
    const seen: string[] = [];
    bus.on('conversation.followed', (f) => seen.push(`first ${f.agentId}`));
    bus.on('conversation.followed', (f) => seen.push(`second ${f.agentId}`));
    bus.on('conversation.unfollowed', (f) => seen.push(`other ${f.agentId}`));
    void bus.publish('conversation.followed', fact(1));
    seen.push('after publish');
    assert.deepEqual(seen, ['first 1', 'second 1', 'after publish']);
  });

  it('a subscriber that throws or rejects is logged with the fact and never stops the others or the publisher', async () => {
    const capture = captureLog();
    const bus = createBus(capture.log);
    const seen: number[] = [];
    bus.on('conversation.followed', () => {
      throw new Error('push failed');
    });
    bus.on('conversation.followed', async () => {
      throw new Error('recheck failed');
    });
    bus.on('conversation.followed', (f) => seen.push(f.agentId));
    await bus.publish('conversation.followed', fact(7));
    assert.deepEqual(seen, [7]);
    const errors = capture.errors();
    assert.deepEqual(errors.map((e) => [e.fact, (e.err as { message: string }).message]), [
      ['conversation.followed', 'push failed'],
      ['conversation.followed', 'recheck failed'],
    ]);
  });

  it('publish resolves once every asynchronous subscriber is done (a publisher that must wait can)', async () => {
    const bus = createBus(captureLog().log);
    const order: string[] = [];
    bus.on('mail.given_up', async ({ ticketId }) => {
      await new Promise((resolve) => setImmediate(resolve));
      order.push(`recorded ${ticketId}`);
    });
    await bus.publish('mail.given_up', { ticketId: 3, kind: 'ticket_reply', error: 'refused' });
    order.push('published');
    assert.deepEqual(order, ['recorded 3', 'published']);
  });

  it('unsubscribing stops delivery', () => {
    const bus = createBus(captureLog().log);
    const seen: number[] = [];
    const off = bus.on('conversation.followed', (f) => seen.push(f.agentId));
    void bus.publish('conversation.followed', fact(1));
    off();
    void bus.publish('conversation.followed', fact(2));
    assert.deepEqual(seen, [1]);
  });

  it('a subscriber added while a fact is handed out first hears the next fact', () => {
    const bus = createBus(captureLog().log);
    const seen: string[] = [];
    let added = false;
    bus.on('conversation.followed', (f) => {
      seen.push(`a${f.agentId}`);
      if (!added) bus.on('conversation.followed', (g) => seen.push(`late${g.agentId}`));
      added = true;
    });
    void bus.publish('conversation.followed', fact(1));
    void bus.publish('conversation.followed', fact(2));
    assert.deepEqual(seen, ['a1', 'a2', 'late2']);
  });
});
