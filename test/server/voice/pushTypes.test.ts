import assert from 'node:assert/strict';
import type { VoiceRoomPushes } from '../../../shared/events/voice.js';
import { Peer, type PeerEmit } from '../../../server/src/voice/peer.js';

describe('voice: room pushes are typed by shared/events/voice.ts', () => {
  it('a peer sends the pushes of the map as they are; other names or shapes do not compile (tsc checks the @ts-expect-error lines)', () => {
    const sent: Array<[keyof VoiceRoomPushes, unknown]> = [];
    const emit: PeerEmit = (event, ...payload) => sent.push([event, payload[0]]);
    const peer = new Peer('p1', 's1', { role: 'visitor', visitorId: 'v1', name: 'Erika' }, emit);
    peer.emit('voice:peer:left', { roomId: 'conversation:x', peerId: 'p2' });
    // @ts-expect-error: not a room push (call:updated goes to the conversation's sockets, not to a peer)
    peer.emit('call:updated', { conversationId: 'c', active: false, held: false, participants: [], startedAt: null });
    // @ts-expect-error: voice:peer:left names the peer that left by `peerId`
    peer.emit('voice:peer:left', { roomId: 'conversation:x', peer: 'p2' });
    assert.deepEqual(sent[0], ['voice:peer:left', { roomId: 'conversation:x', peerId: 'p2' }]);
    assert.equal(sent.length, 3, 'the wire is untouched: whatever is emitted goes out as it is');
  });
});
