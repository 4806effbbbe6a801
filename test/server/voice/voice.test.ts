import assert from 'node:assert/strict';
import type { CallState } from '../../../shared/schemas/voice.js';
import { voiceRoomIds } from '../../../shared/schemas/voice.js';
import { accept, clientId, eventually, makeAgent, makeDepartment, makeVisitorChat, sleep } from '../../support/chatFixtures.js';
import { ask, closeAllSockets, connectVisitor, emitRaw, eventWhere, expectOk, fence, login, nextEvent, request, visitorSession } from '../../support/clients.js';
import { describeEachTarget } from '../../support/dbTargets.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { fakeDtls, joinAndProduce, opusRtpParameters, requireVoice } from '../../support/voice.js';
import { requestTransfer, servedChat, transferUpdate } from '../transfer/helpers.js';

describeEachTarget('voice: signaling, calls, hold, transfer, cleanup (real mediasoup worker)', ({ db, redis }) => {
  let server: TestServer;
  before(async function () {
    server = await startTestServer({ db, redis, env: { VOICE_RING_SECONDS: '2' } });
    requireVoice(this, server);
  });
  after(() => server?.close());
  afterEach(closeAllSockets);

  const voice = () => server.zentrale.voice.service;
  const routers = async () => (await Promise.all(server.zentrale.voice.pool.workers().map((w) => w.dump()))).reduce((n, d) => n + d.routerIds.length, 0);

  async function servedPair(opts: { maxChats?: number } = {}) {
    const dept = await makeDepartment(server);
    const agent = await makeAgent(server, { memberships: [{ departmentId: dept }], maxChats: opts.maxChats ?? 3 });
    const chat = await servedChat(server, dept, agent, { name: 'Erika' });
    return { dept, agent, chat, roomId: voiceRoomIds.conversation(chat.conversationId) };
  }

  it('says whether it takes calls: the widget reads it with the departments', async () => {
    const res = await request<{ voice: { available: boolean } }>(server.baseUrl, 'GET', '/api/public/departments');
    assert.equal(res.body.ok && res.body.data.voice.available, true);
    const admin = await server.createUser({ role: 'admin' });
    const health = await request<{ voice: { available: boolean; reason: string | null } }>(server.baseUrl, 'GET', '/api/admin/health', {
      cookie: await login(server.baseUrl, admin.email, admin.password),
    });
    assert.deepEqual(health.body.ok && health.body.data.voice, { available: true, reason: null }, 'admins see it in the details');
  });

  it('a call in a chat: both join, hear each other, the thread records it; leaving frees everything in the worker', async () => {
    const before = await routers();
    const { agent, chat, roomId } = await servedPair();
    const ringing = nextEvent<CallState>(agent.socket, 'call:updated', 5000);
    const visitorSide = await joinAndProduce(chat.socket, roomId);
    const call = await ringing;
    assert.equal(call.active, true);
    assert.deepEqual(call.participants.map((p) => [p.role, p.name]), [['visitor', 'Erika']], 'the agent sees who is calling');
    assert.equal(await routers(), before + 1, 'one router for the room');

    const announced = nextEvent<{ producerId: string }>(chat.socket, 'voice:producer:added', 5000);
    const agentSide = await joinAndProduce(agent.socket, roomId);
    assert.deepEqual(agentSide.joined.producers.map((p) => p.producerId), [visitorSide.producerId], 'the agent is told what to consume');
    assert.equal((await announced).producerId, agentSide.producerId, 'the visitor is told of the agent’s microphone');
    await agentSide.consume(visitorSide.producerId);
    await visitorSide.consume(agentSide.producerId);
    const room = voice().inspect(roomId)!;
    assert.equal(room.peers.length, 2);
    assert.ok(room.peers.every((p) => p.consumers.length === 1 && !p.consumers[0]!.paused), 'audio flows both ways');
    assert.deepEqual(voice().stats(), { rooms: 1, peers: 2, transports: 4, producers: 2, consumers: 2 });
    const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
    assert.match(metrics, /zentrale_voice\{what="consumers"\} 2/, 'operators see the load');

    const ended = eventWhere<CallState>(chat.socket, 'call:updated', (c) => !c.active, 5000);
    const notice = eventWhere<{ body: string }>(chat.socket, 'message:sent', (m) => /Anruf beendet/.test(m.body), 5000);
    expectOk(await ask(agent.socket, 'voice:leave', { roomId }));
    await ended;
    await notice;
    assert.deepEqual(voice().stats(), { rooms: 0, peers: 0, transports: 0, producers: 0, consumers: 0 }, 'the agent hanging up ends the call');
    assert.equal(await routers(), before, 'the router is closed in the worker');
    assert.equal((await server.zentrale.engine.store.route(chat.conversationId))?.inCall, false);
  });

  it('authorizes every step: strangers, queued chats, other rooms, other peers’ media; bad input gets clear errors', async () => {
    const { agent, chat, roomId } = await servedPair();
    const stranger = await connectVisitor(server.baseUrl, (await visitorSession(server.baseUrl)).token);
    const asStranger = await ask(stranger, 'voice:join', { roomId });
    assert.equal(!asStranger.ok && asStranger.error.code, 'NOT_FOUND', 'another visitor cannot enter the call');
    const dept2 = await makeDepartment(server);
    const otherAgent = await makeAgent(server, { memberships: [{ departmentId: dept2 }] });
    const asOtherAgent = await ask(otherAgent.socket, 'voice:join', { roomId });
    assert.equal(!asOtherAgent.ok && asOtherAgent.error.code, 'NOT_FOUND', 'an agent not serving the chat cannot enter');
    const consult = await ask(chat.socket, 'voice:join', { roomId: voiceRoomIds.consult(chat.conversationId) });
    assert.equal(!consult.ok && consult.error.code, 'NOT_FOUND', 'no consult line for visitors');

    const waiting = await makeVisitorChat(server, dept2);
    const queued = await ask(waiting.socket, 'voice:join', { roomId: voiceRoomIds.conversation(waiting.conversationId) });
    assert.equal(!queued.ok && queued.error.code, 'NOT_FOUND', 'nobody to talk to yet');

    const badRoom = await emitRaw(chat.socket, 'voice:join', { roomId: 'conversation:../../etc' });
    assert.equal(!badRoom.ok && badRoom.error.code, 'VALIDATION_FAILED');
    const early = await ask(chat.socket, 'voice:transport:create', { roomId, direction: 'send' });
    assert.equal(!early.ok && early.error.code, 'NOT_FOUND', 'join first');

    const visitorSide = await joinAndProduce(chat.socket, roomId);
    const own = await ask(chat.socket, 'voice:consume', { roomId, producerId: visitorSide.producerId, rtpCapabilities: visitorSide.joined.routerRtpCapabilities as never });
    assert.equal(!own.ok && own.error.code, 'NOT_FOUND', 'nobody consumes their own microphone');
    const secondSend = await ask(chat.socket, 'voice:transport:create', { roomId, direction: 'send' });
    assert.equal(!secondSend.ok && secondSend.error.code, 'CONFLICT', 'one send transport per peer');
    const hugeCodecs = await emitRaw(chat.socket, 'voice:produce', { roomId, transportId: visitorSide.producerId, kind: 'audio', rtpParameters: { codecs: Array.from({ length: 50 }, () => opusRtpParameters(1).codecs[0]) } });
    assert.equal(!hugeCodecs.ok && hugeCodecs.error.code, 'VALIDATION_FAILED');
    const video = await emitRaw(chat.socket, 'voice:produce', { roomId, transportId: visitorSide.producerId, kind: 'video', rtpParameters: opusRtpParameters(2) });
    assert.equal(!video.ok && video.error.code, 'VALIDATION_FAILED', 'audio only');
    const agentSide = await joinAndProduce(agent.socket, roomId);
    const wrongCaps = await ask(chat.socket, 'voice:consume', { roomId, producerId: agentSide.producerId, rtpCapabilities: { codecs: [{ kind: 'audio', mimeType: 'audio/PCMU', clockRate: 8000, preferredPayloadType: 0 }] } });
    assert.equal(!wrongCaps.ok && wrongCaps.error.code, 'VALIDATION_FAILED', 'no common codec');
    const badDtls = await emitRaw(chat.socket, 'voice:transport:connect', { roomId, transportId: visitorSide.producerId, dtlsParameters: fakeDtls });
    assert.equal(!badDtls.ok && badDtls.error.code, 'NOT_FOUND', 'only one’s own transports');
    const hold = await ask(agent.socket, 'call:hold', { conversationId: chat.conversationId, held: true });
    assert.ok(hold.ok);
    const visitorHold = await emitRaw(chat.socket, 'call:hold', { conversationId: chat.conversationId, held: false });
    assert.equal(!visitorHold.ok && visitorHold.error.code, 'UNKNOWN_EVENT', 'only agents hold');
    assert.ok(chat.socket.connected && agent.socket.connected, 'bad input never costs the connection');
    expectOk(await ask(chat.socket, 'voice:leave', { roomId }));
    assert.equal(voice().stats().rooms, 0, 'the visitor hanging up ends the call');
  });

  it('hold pauses the audio both ways and tells the visitor; taking the call back resumes it', async () => {
    const { agent, chat, roomId } = await servedPair();
    const visitorSide = await joinAndProduce(chat.socket, roomId);
    const agentSide = await joinAndProduce(agent.socket, roomId);
    await visitorSide.consume(agentSide.producerId);
    await agentSide.consume(visitorSide.producerId);
    const told = eventWhere<CallState>(chat.socket, 'call:updated', (c) => c.held, 5000);
    const held = expectOk(await ask(agent.socket, 'call:hold', { conversationId: chat.conversationId, held: true }));
    assert.equal(held.call.held, true);
    await told;
    const paused = voice().inspect(roomId)!;
    assert.ok(paused.peers.every((p) => p.consumers.every((c) => c.paused)), 'no audio either way');
    // The visitor's client cannot undo the hold.
    const consumerId = [...paused.peers.find((p) => p.role === 'visitor')!.consumers][0];
    assert.ok(consumerId);
    expectOk(await ask(agent.socket, 'call:hold', { conversationId: chat.conversationId, held: false }));
    assert.ok(voice().inspect(roomId)!.peers.every((p) => p.consumers.every((c) => !c.paused)), 'audio flows again');
  });

  it('one call per agent: a call request waits (position shown) while the agent is on a call, then is offered', async () => {
    const { dept, agent, chat, roomId } = await servedPair();
    await joinAndProduce(chat.socket, roomId);
    await joinAndProduce(agent.socket, roomId);
    const { token } = await visitorSession(server.baseUrl);
    const caller = await connectVisitor(server.baseUrl, token);
    const started = expectOk(await ask(caller, 'conversation:start', { clientId: clientId(), departmentId: dept, language: 'de', name: 'Rita', channel: 'voice', text: 'Bitte um Rückruf zur Rechnung' }));
    assert.equal(started.conversation.channel, 'voice');
    assert.equal(started.queue?.position, 1, 'waits first in line');
    // A routing pass has looked at the request; an offer it made would be ahead of the fence.
    await server.zentrale.engine.tick();
    await fence(agent.socket);
    assert.ok(!agent.offers.some((o) => o.conversationId === started.conversation.id), 'not offered while on another call');

    const offered = eventWhere<{ conversationId: string; channel: string }>(agent.socket, 'offer:received', (o) => o.conversationId === started.conversation.id, 5000);
    expectOk(await ask(agent.socket, 'voice:leave', { roomId }));
    assert.equal((await offered).channel, 'voice', 'free again: the call request comes, marked as a call');
    await accept(agent, started.conversation.id);
    assert.equal((await server.zentrale.engine.store.route(started.conversation.id))?.inCall, true, 'taking it is taking the call');
    const busy = await ask(chat.socket, 'voice:join', { roomId });
    assert.equal(!busy.ok && busy.error.code, 'CONFLICT');
    assert.equal(!busy.ok && busy.error.reason, 'on_call', 'a second call with the same agent is refused');
    await joinAndProduce(caller, voiceRoomIds.conversation(started.conversation.id));
  });

  it('warm transfer of a call: A holds and consults B privately, B takes over, A is taken out, the visitor never leaves', async () => {
    const dept = await makeDepartment(server);
    const a = await makeAgent(server, { memberships: [{ departmentId: dept }] });
    const b = await makeAgent(server, { memberships: [{ departmentId: dept }], available: false });
    const chat = await servedChat(server, dept, a, { name: 'Erika' });
    await b.setStatus('available');
    const roomId = voiceRoomIds.conversation(chat.conversationId);
    const visitorSide = await joinAndProduce(chat.socket, roomId);
    const aSide = await joinAndProduce(a.socket, roomId);
    await visitorSide.consume(aSide.producerId);
    expectOk(await ask(a.socket, 'call:hold', { conversationId: chat.conversationId, held: true }));

    const pending = transferUpdate(b.socket, 'pending');
    const { transfer } = expectOk(await requestTransfer(a.socket, chat.conversationId, { type: 'agent', agentId: b.user.id }, { note: 'Rechnung doppelt' }));
    await pending;
    const candidates = expectOk(await ask(a.socket, 'transfer:candidates', { conversationId: chat.conversationId }));
    assert.equal(candidates.agents.find((c) => c.agentId === b.user.id)?.refusal, null);
    const consultRoom = voiceRoomIds.consult(transfer.id);
    const aConsult = await joinAndProduce(a.socket, consultRoom);
    const bConsult = await joinAndProduce(b.socket, consultRoom);
    await bConsult.consume(aConsult.producerId);
    const consult = voice().inspect(consultRoom)!;
    assert.ok(consult.peers.every((p) => p.role === 'agent'), 'the consult is between the two agents only');
    const bEarly = await ask(b.socket, 'voice:join', { roomId });
    assert.equal(!bEarly.ok && bEarly.error.code, 'NOT_FOUND', 'B enters the customer’s call only on taking over');

    const removed = eventWhere<{ roomId: string; reason: string }>(a.socket, 'voice:removed', (r) => r.roomId === roomId, 5000);
    expectOk(await ask(b.socket, 'transfer:accept', { transferId: transfer.id }));
    assert.equal((await removed).reason, 'transferred', 'A is taken out of the customer’s call');
    const afterHandover = voice().inspect(roomId)!;
    assert.deepEqual(afterHandover.peers.map((p) => p.role), ['visitor'], 'the visitor stays in the call');
    assert.equal(afterHandover.held, true, 'on hold until B picks up');

    const announced = eventWhere<{ peerId: string; producerId: string }>(chat.socket, 'voice:producer:added', () => true, 5000);
    const bSide = await joinAndProduce(b.socket, roomId);
    await bSide.consume(visitorSide.producerId);
    assert.equal((await announced).producerId, bSide.producerId, 'the visitor is told of B');
    await visitorSide.consume(bSide.producerId);
    const taken = voice().inspect(roomId)!;
    assert.equal(taken.held, false, 'B joining takes the call off hold');
    assert.ok(taken.peers.find((p) => p.role === 'visitor')!.consumers.some((c) => c.fromPeerId === bSide.joined.peerId), 'the visitor hears B');
    assert.equal((await server.zentrale.engine.store.route(chat.conversationId))?.inCall, true, 'the call moved with the chat');
    await eventually(() => voice().inspect(consultRoom) === null, 5000, 'the consult line to close');
  });

  it('a call nobody answers ends after the ring time; an answered one does not', async () => {
    const { agent, chat, roomId } = await servedPair();
    const removed = nextEvent<{ reason: string }>(agent.socket, 'voice:removed', 6000);
    const visitorTold = eventWhere<CallState>(chat.socket, 'call:updated', (c) => !c.active, 6000);
    await joinAndProduce(agent.socket, roomId);
    assert.equal((await removed).reason, 'ended', 'the visitor did not pick up');
    await visitorTold;
    assert.equal(voice().stats().rooms, 0);

    await joinAndProduce(agent.socket, roomId);
    await joinAndProduce(chat.socket, roomId);
    await sleep(2500);
    assert.equal(voice().stats().peers, 2, 'answered calls run as long as they last');
  });

  it('a dropped connection leaves nothing behind; the visitor dropping ends the call', async () => {
    const before = await routers();
    const { agent, chat, roomId } = await servedPair();
    const visitorSide = await joinAndProduce(chat.socket, roomId);
    const agentSide = await joinAndProduce(agent.socket, roomId);
    await agentSide.consume(visitorSide.producerId);
    const ended = eventWhere<CallState>(agent.socket, 'call:updated', (c) => !c.active, 5000);
    chat.socket.disconnect();
    await ended;
    await eventually(() => voice().stats().rooms === 0, 3000, 'the room to close');
    assert.deepEqual(voice().stats(), { rooms: 0, peers: 0, transports: 0, producers: 0, consumers: 0 });
    assert.equal(await routers(), before);
  });

  it('the visitor taking the call to another tab keeps it going; so does rejoining alone while it rings', async () => {
    const { agent, chat, roomId } = await servedPair();
    await joinAndProduce(agent.socket, roomId);
    await joinAndProduce(agent.socket, roomId);
    assert.equal(voice().stats().rooms, 1, 'rejoining while alone does not end the call');
    await joinAndProduce(chat.socket, roomId);
    const tab2 = await connectVisitor(server.baseUrl, chat.token);
    const moved = nextEvent<{ reason: string }>(chat.socket, 'voice:removed', 5000);
    await joinAndProduce(tab2, roomId);
    assert.equal((await moved).reason, 'left_elsewhere');
    assert.deepEqual(voice().inspect(roomId)!.peers.map((p) => p.role).sort(), ['agent', 'visitor'], 'the call goes on in the new tab');
  });

  it('an agent joining from a second tab takes the call over there', async () => {
    const { agent, chat, roomId } = await servedPair();
    await joinAndProduce(chat.socket, roomId);
    await joinAndProduce(agent.socket, roomId);
    const { connectAgent } = await import('../../support/clients.js');
    const tab2 = await connectAgent(server.baseUrl, agent.cookie);
    const told = nextEvent<CallState>(tab2, 'call:updated', 5000);
    await ask(tab2, 'presence:get', {});
    assert.equal((await told).active, true, 'a console that (re)connects mid-call learns of it');
    const moved = nextEvent<{ reason: string }>(agent.socket, 'voice:removed', 5000);
    await joinAndProduce(tab2, roomId);
    assert.equal((await moved).reason, 'left_elsewhere');
    assert.equal(voice().stats().peers, 2);
  });
});
