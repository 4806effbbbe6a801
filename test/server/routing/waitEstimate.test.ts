import assert from 'node:assert/strict';
import { estimateWaitSeconds } from '../../../server/src/routing/waitEstimate.js';

describe('wait estimate', () => {
  it('is unknown (null) when nobody who could serve is available', () => {
    assert.equal(estimateWaitSeconds(1, [], 300), null);
    assert.equal(estimateWaitSeconds(1, [{ capacity: 0, load: 0 }], 300), null);
  });

  it('is zero while a free slot exists for this position', () => {
    const agents = [{ capacity: 3, load: 1 }, { capacity: 2, load: 2 }];
    assert.equal(estimateWaitSeconds(1, agents, 300), 0);
    assert.equal(estimateWaitSeconds(2, agents, 300), 0);
  });

  it('grows with the chats ahead beyond the free slots, shrinks with total capacity', () => {
    // S = 5 slots, F = 2 free, T = 300 s: position 3 waits for one slot: 300/5 = 60 s.
    const agents = [{ capacity: 3, load: 1 }, { capacity: 2, load: 2 }];
    assert.equal(estimateWaitSeconds(3, agents, 300), 60);
    assert.equal(estimateWaitSeconds(7, agents, 300), 300);
    // Twice the agents, half the wait.
    assert.equal(estimateWaitSeconds(7, [...agents, ...agents.map((a) => ({ ...a }))], 300), 90);
  });

  it('never counts an overloaded agent as negative free capacity', () => {
    assert.equal(estimateWaitSeconds(1, [{ capacity: 2, load: 3 }, { capacity: 1, load: 0 }], 120), 0);
    assert.equal(estimateWaitSeconds(2, [{ capacity: 2, load: 3 }, { capacity: 1, load: 0 }], 120), 40);
  });
});
