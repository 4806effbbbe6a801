import assert from 'node:assert/strict';
import { voiceRoomIds } from '../../../shared/schemas/voice.js';
import { makeAgent } from '../../support/chatFixtures.js';
import { ask, closeAllSockets, connectCommunity, connectVisitor, emitRaw, expectOk, nextEvent, visitorSession, type CommunitySocket } from '../../support/clients.js';
import { describeEachDb } from '../../support/dbTargets.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { joinAndProduce, opusRtpParameters, requireVoice } from '../../support/voice.js';

describeEachDb('community voice: an open room where present visitors listen and speak', (db) => {
  let server: TestServer;
  let roomId: number;
  before(async function () {
    server = await startTestServer({ db });
    requireVoice(this, server);
    roomId = (await server.zentrale.community.models.Room.create({ slug: 'plausch', name: 'Plausch', createdAt: new Date() })).id;
  });
  after(() => server?.close());
  afterEach(closeAllSockets);

  const voiceRoom = () => voiceRoomIds.community(roomId);
  async function visitor(name: string): Promise<{ socket: CommunitySocket; visitorId: string }> {
    const { token, visitorId } = await visitorSession(server.baseUrl);
    const socket = await connectCommunity(server.baseUrl, { token });
    expectOk(await ask(socket, 'community:profile', { displayName: name }));
    expectOk(await ask(socket, 'community:join', { roomId }));
    return { socket, visitorId };
  }
  async function staff(): Promise<CommunitySocket> {
    const agent = await makeAgent(server, { memberships: [], available: false });
    const socket = await connectCommunity(server.baseUrl, { cookie: agent.cookie });
    expectOk(await ask(socket, 'community:join', { roomId }));
    return socket;
  }

  it('visitors and staff talk; staff silence someone (who cannot undo it) and close the room; the room outlives whoever leaves', async () => {
    const a = await visitor('Anton');
    const b = await visitor('Berta');
    const team = await staff();
    const aSide = await joinAndProduce(a.socket, voiceRoom());
    const bSide = await joinAndProduce(b.socket, voiceRoom());
    await bSide.consume(aSide.producerId);
    const teamSide = await joinAndProduce(team, voiceRoom());
    assert.equal(teamSide.joined.producers.length, 2, 'the team hears both');
    assert.equal(teamSide.joined.call, null, 'no call state: this is not a conversation');

    const refused = await ask(b.socket, 'community:voice:mute', { roomId: voiceRoom(), peerId: aSide.joined.peerId, muted: true });
    assert.equal(!refused.ok && refused.error.code, 'FORBIDDEN', 'visitors do not silence each other');
    const told = nextEvent<{ peerId: string; muted: boolean }>(b.socket, 'voice:peer:muted');
    expectOk(await ask(team, 'community:voice:mute', { roomId: voiceRoom(), peerId: aSide.joined.peerId, muted: true }));
    assert.deepEqual(await told, { roomId: voiceRoom(), peerId: aSide.joined.peerId, muted: true });
    const room = server.zentrale.voice.service.inspect(voiceRoom())!;
    assert.equal(room.peers.find((p) => p.peerId === aSide.joined.peerId)!.producerPaused, true, 'nobody hears Anton');
    const undo = await ask(a.socket, 'voice:mute', { roomId: voiceRoom(), muted: false });
    assert.equal(!undo.ok && undo.error.reason, 'muted', 'only staff can let him speak again');

    expectOk(await ask(b.socket, 'voice:leave', { roomId: voiceRoom() }));
    assert.equal(server.zentrale.voice.service.inspect(voiceRoom())!.peers.length, 2, 'the room stays open for the others');

    const removed = nextEvent<{ reason: string }>(a.socket, 'voice:removed');
    const switched = nextEvent<{ voiceOpen: boolean }>(a.socket, 'community:room');
    expectOk(await ask(team, 'community:voice:switch', { roomId, open: false }));
    assert.equal((await removed).reason, 'ended');
    assert.equal((await switched).voiceOpen, false, 'everyone in the room is told');
    const closed = await ask(b.socket, 'voice:join', { roomId: voiceRoom() });
    assert.equal(!closed.ok && closed.error.reason, 'voice_closed');
    assert.deepEqual(server.zentrale.voice.service.stats(), { rooms: 0, peers: 0, transports: 0, producers: 0, consumers: 0 });
    expectOk(await ask(team, 'community:voice:switch', { roomId, open: true }));
    expectOk(await ask(b.socket, 'voice:join', { roomId: voiceRoom() }));
  });

  it('muting a visitor in the community silences them in the voice room at once', async () => {
    const a = await visitor('Dieter');
    const b = await visitor('Eva');
    const team = await staff();
    const aSide = await joinAndProduce(a.socket, voiceRoom());
    await joinAndProduce(b.socket, voiceRoom());
    const told = nextEvent<{ peerId: string; muted: boolean }>(b.socket, 'voice:peer:muted');
    const { sanction } = expectOk(await ask(team, 'community:sanction', { visitorId: a.visitorId, kind: 'mute', minutes: 5 }));
    assert.deepEqual(await told, { roomId: voiceRoom(), peerId: aSide.joined.peerId, muted: true });
    assert.equal(server.zentrale.voice.service.inspect(voiceRoom())!.peers.find((p) => p.peerId === aSide.joined.peerId)!.producerPaused, true);
    const undo = await ask(a.socket, 'voice:mute', { roomId: voiceRoom(), muted: false });
    assert.equal(!undo.ok && undo.error.reason, 'muted', 'no unmuting oneself while muted in the community');
    expectOk(await ask(team, 'community:sanction:lift', { sanctionId: sanction.id }));
    await new Promise((r) => setTimeout(r, 200));
    expectOk(await ask(a.socket, 'voice:mute', { roomId: voiceRoom(), muted: false }));
    assert.equal(server.zentrale.voice.service.inspect(voiceRoom())!.peers.find((p) => p.peerId === aSide.joined.peerId)!.producerPaused, false, 'lifted: may speak again');
    expectOk(await ask(a.socket, 'voice:leave', { roomId: voiceRoom() }));
    expectOk(await ask(b.socket, 'voice:leave', { roomId: voiceRoom() }));
  });

  it('a visitor muted in the community listens but does not speak; community voice lives on /community only', async () => {
    const a = await visitor('Carl');
    const team = await staff();
    expectOk(await ask(team, 'community:sanction', { visitorId: a.visitorId, kind: 'mute', minutes: 5 }));
    const joined = expectOk(await ask(a.socket, 'voice:join', { roomId: voiceRoom() }));
    assert.ok(joined.routerRtpCapabilities, 'may listen');
    const send = expectOk(await ask(a.socket, 'voice:transport:create', { roomId: voiceRoom(), direction: 'send' }));
    const produce = await ask(a.socket, 'voice:produce', { roomId: voiceRoom(), transportId: send.id, kind: 'audio', rtpParameters: opusRtpParameters(4242) });
    assert.equal(!produce.ok && produce.error.reason, 'muted');

    const { token } = await visitorSession(server.baseUrl);
    const widget = await connectVisitor(server.baseUrl, token);
    const elsewhere = await emitRaw(widget, 'voice:join', { roomId: voiceRoom() });
    assert.equal(!elsewhere.ok && elsewhere.error.code, 'NOT_FOUND', 'not from the chat namespace');
    const nameless = await connectCommunity(server.baseUrl, { token });
    const noName = await ask(nameless, 'voice:join', { roomId: voiceRoom() });
    assert.equal(!noName.ok && noName.error.reason, 'no_name', 'a display name first');
  });
});
