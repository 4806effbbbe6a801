import assert from 'node:assert/strict';
import type { types as ms } from 'mediasoup';
import { voiceRoomIds } from '../../../shared/schemas/voice.js';
import { UnavailableError, ValidationError } from '../../../server/src/errors/errors.js';
import { classifyMediaError, MediaFailure, type MediaStep } from '../../../server/src/voice/mediasoupErrors.js';
import { makeAgent, makeDepartment } from '../../support/chatFixtures.js';
import { ask, closeAllSockets, expectOk } from '../../support/clients.js';
import { describeEachDb } from '../../support/dbTargets.js';
import { captureLog } from '../../support/logCapture.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { fakeDtls, opusRtpParameters, requireVoice } from '../../support/voice.js';
import { servedChat } from '../transfer/helpers.js';

/** An error of one of mediasoup's own classes: they are exported as types only, and set `name`. */
const mediasoupError = (name: 'UnsupportedError' | 'InvalidStateError', message: string) => Object.assign(new Error(message), { name });

describe('voice: what a failed mediasoup request means to the client, by the error’s class', () => {
  const withInput: MediaStep = { step: 'produce', roomId: 'conversation:x', peerId: 'p1', input: 'rtpParameters' };
  const noInput: MediaStep = { step: 'createTransport', roomId: 'conversation:x', peerId: 'p1' };

  it('the client’s parameters refused (TypeError, UnsupportedError) are VALIDATION_FAILED with mediasoup’s reason', () => {
    const typed = classifyMediaError(new TypeError('missing codec.mimeType'), withInput);
    assert.ok(typed instanceof ValidationError);
    assert.deepEqual(typed.issues, [{ path: '', message: 'rtpParameters: missing codec.mimeType' }]);
    assert.ok(classifyMediaError(mediasoupError('UnsupportedError', 'unsupported codec'), withInput) instanceof ValidationError);
  });

  it('without client parameters the same classes are the server’s own failure (its settings), not the client’s', () => {
    assert.ok(classifyMediaError(new TypeError('missing listenInfo'), noInput) instanceof MediaFailure);
    assert.ok(classifyMediaError(mediasoupError('UnsupportedError', 'media codec not supported'), noInput) instanceof MediaFailure);
  });

  it('the worker gone (InvalidStateError) is UNAVAILABLE; any other failure is INTERNAL, whatever its message says', () => {
    assert.ok(classifyMediaError(mediasoupError('InvalidStateError', 'Channel closed, cannot send request'), withInput) instanceof UnavailableError);
    // Messages full of "not", "invalid", "cannot": once read as the client's mistake.
    for (const message of ['Channel request handler with ID 1 not found', 'invalid state in worker', 'cannot allocate more dynamic codec payload types']) {
      const failure = classifyMediaError(new Error(message), withInput);
      assert.ok(failure instanceof MediaFailure, message);
      assert.deepEqual([failure.step, failure.roomId, failure.peerId], ['produce', 'conversation:x', 'p1'], 'where it happened, for the log');
    }
  });
});

describeEachDb('voice: mediasoup refusals in a real call (real mediasoup worker)', (db) => {
  const captured = captureLog();
  let server: TestServer;
  before(async function () {
    server = await startTestServer({ db, log: captured.log });
    requireVoice(this, server);
  });
  after(() => server?.close());
  afterEach(closeAllSockets);

  async function joinedVisitor() {
    const dept = await makeDepartment(server);
    const agent = await makeAgent(server, { memberships: [{ departmentId: dept }] });
    const chat = await servedChat(server, dept, agent, { name: 'Erika' });
    const roomId = voiceRoomIds.conversation(chat.conversationId);
    const joined = expectOk(await ask(chat.socket, 'voice:join', { roomId }));
    const send = expectOk(await ask(chat.socket, 'voice:transport:create', { roomId, direction: 'send' }));
    return { chat, roomId, peerId: joined.peerId, send };
  }

  it('a client’s parameters mediasoup refuses are VALIDATION_FAILED with its reason, and the call goes on', async () => {
    const { chat, roomId, send } = await joinedVisitor();
    expectOk(await ask(chat.socket, 'voice:transport:connect', { roomId, transportId: send.id, dtlsParameters: fakeDtls }));
    const pcmu = await ask(chat.socket, 'voice:produce', { roomId, transportId: send.id, kind: 'audio', rtpParameters: { codecs: [{ mimeType: 'audio/PCMU', payloadType: 0, clockRate: 8000 }], encodings: [{ ssrc: 4711 }] } });
    assert.equal(!pcmu.ok && pcmu.error.code, 'VALIDATION_FAILED', 'a codec this server does not carry (UnsupportedError)');
    assert.match(!pcmu.ok ? (pcmu.error.issues?.[0]?.message ?? '') : '', /^rtpParameters: unsupported codec/);
    const rtx = await ask(chat.socket, 'voice:produce', { roomId, transportId: send.id, kind: 'audio', rtpParameters: { codecs: [{ mimeType: 'audio/rtx', payloadType: 97, clockRate: 48000 }], encodings: [{ ssrc: 4712 }] } });
    assert.equal(!rtx.ok && rtx.error.code, 'VALIDATION_FAILED', 'parameters mediasoup finds malformed (TypeError)');
    expectOk(await ask(chat.socket, 'voice:produce', { roomId, transportId: send.id, kind: 'audio', rtpParameters: opusRtpParameters(4713) }));
    expectOk(await ask(chat.socket, 'voice:leave', { roomId }));
  });

  it('a failure that is not the client’s is INTERNAL, not VALIDATION_FAILED, and is logged with where it happened', async () => {
    // Catch the transport as the worker makes it, to break it behind the room's back: the worker
    // forgets it, the room still lists it (as a bug in the server would leave it).
    const made = new Map<string, ms.WebRtcTransport>();
    for (const worker of server.zentrale.voice.pool.workers()) {
      worker.observer.on('newrouter', (router) => router.observer.on('newtransport', (t) => made.set(t.id, t as ms.WebRtcTransport)));
    }
    const { chat, roomId, peerId, send } = await joinedVisitor();
    const transport = made.get(send.id);
    assert.ok(transport, 'the send transport was seen being made');
    transport.close();

    const before = captured.lines.length;
    const connect = await ask(chat.socket, 'voice:transport:connect', { roomId, transportId: send.id, dtlsParameters: fakeDtls });
    // The worker's answer ("Channel request handler with ID … not found") once read as the client's mistake.
    assert.deepEqual(!connect.ok && connect.error, { code: 'INTERNAL', message: 'Internal error.' });
    const logged = captured.lines.slice(before).find((l) => l.level >= 50 && (l.err as { step?: string } | undefined)?.step === 'connectTransport');
    assert.ok(logged, 'logged as an error');
    const err = logged.err as { roomId: string; peerId: string; message: string };
    assert.deepEqual([err.roomId, err.peerId], [roomId, peerId]);
    assert.match(err.message, /not found/, 'with the worker’s own words');
    assert.ok(chat.socket.connected, 'the connection stays up');
    expectOk(await ask(chat.socket, 'voice:leave', { roomId }));
  });
});
