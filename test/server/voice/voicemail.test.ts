import assert from 'node:assert/strict';
import type { TicketCreated } from '../../../shared/schemas/tickets.js';
import { VOICEMAIL_MAX_BYTES } from '../../../shared/schemas/voice.js';
import { clientId, makeAgent, makeDepartment } from '../../support/chatFixtures.js';
import { ask, closeAllSockets, connectVisitor, expectOk, visitorSession } from '../../support/clients.js';
import { describeEachDb } from '../../support/dbTargets.js';
import { startTestServer, type TestServer } from '../../support/server.js';

/** The EBML header of a WebM file (what MediaRecorder writes first), then some bytes of "audio". */
const webm = (size = 2000): Buffer => {
  const header = Buffer.from([
    0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0xf7, 0x81, 0x01, 0x42, 0xf2, 0x81, 0x04, 0x42, 0xf3, 0x81, 0x08,
    0x42, 0x82, 0x84, 0x77, 0x65, 0x62, 0x6d, 0x42, 0x87, 0x81, 0x04, 0x42, 0x85, 0x81, 0x02,
  ]);
  return Buffer.concat([header, Buffer.alloc(Math.max(0, size - header.length), 7)]);
};
/** Ogg's page checksum: CRC-32 with polynomial 0x04c11db7, not reflected, starting at 0. */
function oggCrc(bytes: Buffer): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 24;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80000000 ? ((crc << 1) ^ 0x04c11db7) >>> 0 : (crc << 1) >>> 0;
  }
  return crc >>> 0;
}

function oggPage(flags: number, granule: number, sequence: number, packets: Buffer[]): Buffer {
  const segments: number[] = [];
  for (const p of packets) {
    for (let left = p.length; ; left -= 255) {
      segments.push(Math.min(left, 255));
      if (left < 255) break;
    }
  }
  const header = Buffer.alloc(27 + segments.length);
  header.write('OggS', 0, 'latin1');
  header[5] = flags;
  header.writeBigUInt64LE(BigInt(granule), 6);
  header.writeUInt32LE(0x7a656e74, 14); // stream serial number
  header.writeUInt32LE(sequence, 18);
  header[26] = segments.length;
  Buffer.from(segments).copy(header, 27);
  const page = Buffer.concat([header, ...packets]);
  page.writeUInt32LE(oggCrc(page), 22);
  return page;
}

/**
 * What Firefox's MediaRecorder writes (`audio/ogg; codecs=opus`): an Ogg stream with the OpusHead
 * and OpusTags headers (RFC 7845), then `seconds` of 20 ms Opus frames of silence.
 */
function oggOpus(seconds = 1): Buffer {
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'latin1');
  head[8] = 1; // version
  head[9] = 1; // mono
  head.writeUInt16LE(312, 10); // pre-skip
  head.writeUInt32LE(48_000, 12); // input sample rate
  const vendor = Buffer.from('zentrale test', 'utf8');
  const tags = Buffer.concat([Buffer.from('OpusTags', 'latin1'), Buffer.from(Uint32Array.of(vendor.length).buffer), vendor, Buffer.alloc(4)]);
  const frames = Array.from({ length: seconds * 50 }, () => Buffer.from([0xf8, 0xff, 0xfe])); // CELT, 20 ms, silence
  return Buffer.concat([oggPage(0x02, 0, 0, [head]), oggPage(0, 0, 1, [tags]), oggPage(0x04, 312 + frames.length * 960, 2, frames)]);
}

const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da6364f8ffbf1e000504020157a3d6f10000000049454e44ae426082', 'hex');

describeEachDb('voicemail: a recording becomes a ticket', (db) => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ db });
  });
  after(() => server.close());
  afterEach(closeAllSockets);

  async function post(token: string | null, query: Record<string, string | number>, body: Buffer, type = 'audio/webm') {
    const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
    const res = await fetch(`${server.baseUrl}/api/visitor/voicemail?${qs}`, {
      method: 'POST',
      headers: { 'content-type': type, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: new Uint8Array(body),
    });
    return { status: res.status, body: (await res.json()) as { ok: true; data: TicketCreated } | { ok: false; error: { code: string; message: string } } };
  }

  it('on its own: a voicemail ticket with the recording in its thread; a retry changes nothing; the department’s agents can play it', async () => {
    const dept = await makeDepartment(server, { offlineFallback: true });
    const agent = await makeAgent(server, { memberships: [{ departmentId: dept }], available: false });
    const { token } = await visitorSession(server.baseUrl);
    const id = clientId();
    const query = { clientId: id, durationSeconds: 42, departmentId: dept, language: 'de', name: 'Rita Rückruf' };
    const first = await post(token, query, webm());
    assert.equal(first.status, 201);
    assert.ok(first.body.ok);
    const created = first.body.data;
    assert.equal(created.ticket.kind, 'voicemail');
    assert.equal(created.source, 'voicemail');
    assert.equal(created.duplicate, false);

    const again = await post(token, query, webm());
    assert.equal(again.status, 200);
    assert.ok(again.body.ok && again.body.data.duplicate && again.body.data.ticket.id === created.ticket.id, 'the same ticket');

    const detail = expectOk(await ask(agent.socket, 'ticket:get', { ticketId: created.ticket.id }));
    const recordings = detail.messages.filter((m) => m.attachment?.mime.startsWith('audio/'));
    assert.equal(recordings.length, 1, 'one recording, also after the retry');
    const recording = recordings[0]!;
    assert.equal(recording.senderType, 'visitor');
    assert.equal(recording.attachment!.mime, 'audio/webm');
    assert.equal(recording.attachment!.name, 'voicemail-0m42s.webm');

    const audio = await fetch(`${server.baseUrl}/api/attachments/${recording.attachment!.id}`, { headers: { cookie: agent.cookie } });
    assert.equal(audio.status, 200);
    assert.equal(audio.headers.get('content-type'), 'audio/webm');
    assert.match(audio.headers.get('content-disposition') ?? '', /^inline/);
    assert.equal(Buffer.from(await audio.arrayBuffer()).length, 2000);

    const outsider = await makeAgent(server, { memberships: [{ departmentId: await makeDepartment(server) }], available: false });
    const denied = await fetch(`${server.baseUrl}/api/attachments/${recording.attachment!.id}`, { headers: { cookie: outsider.cookie } });
    assert.equal(denied.status, 404, 'agents of other departments cannot play it');
  });

  it('takes Firefox’s recordings too: Opus in Ogg, stored and played back as audio/ogg', async () => {
    const dept = await makeDepartment(server, { offlineFallback: true });
    const agent = await makeAgent(server, { memberships: [{ departmentId: dept }], available: false });
    const { token } = await visitorSession(server.baseUrl);
    const recording = oggOpus(3);
    const res = await post(token, { clientId: clientId(), durationSeconds: 3, departmentId: dept, language: 'de', name: 'Fiona Firefox' }, recording, 'audio/ogg; codecs=opus');
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.ok(res.body.ok);

    const detail = expectOk(await ask(agent.socket, 'ticket:get', { ticketId: res.body.data.ticket.id }));
    const attachment = detail.messages.find((m) => m.attachment?.mime.startsWith('audio/'))?.attachment;
    assert.ok(attachment, 'the recording is in the thread');
    assert.equal(attachment.mime, 'audio/ogg');
    assert.equal(attachment.name, 'voicemail-0m03s.ogg');
    const audio = await fetch(`${server.baseUrl}/api/attachments/${attachment.id}`, { headers: { cookie: agent.cookie } });
    assert.equal(audio.status, 200);
    assert.equal(audio.headers.get('content-type'), 'audio/ogg', 'the console’s <audio> player gets a type browsers play');
    assert.match(audio.headers.get('content-disposition') ?? '', /^inline/);
    assert.ok(Buffer.from(await audio.arrayBuffer()).equals(recording), 'stored as sent');
  });

  it('from a waiting call request: the request becomes the voicemail ticket and leaves the queue', async () => {
    const dept = await makeDepartment(server);
    const { token } = await visitorSession(server.baseUrl);
    const socket = await connectVisitor(server.baseUrl, token);
    const started = expectOk(await ask(socket, 'conversation:start', { clientId: clientId(), departmentId: dept, language: 'de', name: 'Rita', channel: 'voice', text: 'Frage zur Rechnung' }));
    assert.equal(started.queue?.position, 1);
    const res = await post(token, { clientId: clientId(), durationSeconds: 12, conversationId: started.conversation.id }, webm());
    assert.equal(res.status, 201);
    assert.ok(res.body.ok);
    assert.equal(res.body.data.ticket.kind, 'voicemail');
    assert.equal(res.body.data.ticket.conversationId, started.conversation.id, 'the same thread');
    assert.equal(await server.zentrale.engine.store.route(started.conversation.id), null, 'no longer waiting');
  });

  it('after a call request became a ticket at once (nobody online): the voicemail joins that ticket', async () => {
    const dept = await makeDepartment(server, { offlineFallback: true });
    const { token } = await visitorSession(server.baseUrl);
    const socket = await connectVisitor(server.baseUrl, token);
    const started = expectOk(await ask(socket, 'conversation:start', { clientId: clientId(), departmentId: dept, language: 'de', name: 'Rita', channel: 'voice', text: 'Rückruf bitte' }));
    assert.ok(started.ticket, 'nobody online: a ticket at once');
    const res = await post(token, { clientId: clientId(), durationSeconds: 9, conversationId: started.conversation.id }, webm());
    assert.ok(res.body.ok);
    assert.equal(res.body.data.ticket.id, started.ticket.ticket.id, 'no second ticket');
    const agent = await makeAgent(server, { memberships: [{ departmentId: dept }], available: false });
    const detail = expectOk(await ask(agent.socket, 'ticket:get', { ticketId: started.ticket.ticket.id }));
    assert.equal(detail.messages.filter((m) => m.attachment?.mime === 'audio/webm').length, 1, 'the recording is in its thread');
  });

  it('refuses what is not a short recording of its own: no token, not audio, too large, too long, missing fields, a foreign conversation', async () => {
    const dept = await makeDepartment(server);
    const { token } = await visitorSession(server.baseUrl);
    const base = { clientId: clientId(), durationSeconds: 5, departmentId: dept, language: 'de', name: 'X' };
    assert.equal((await post(null, base, webm())).status, 401);
    const image = await post(token, base, png);
    assert.equal(image.status, 400);
    assert.ok(!image.body.ok && /audio recording/.test(JSON.stringify(image.body.error)), 'says what it expects');
    const huge = await post(token, base, webm(VOICEMAIL_MAX_BYTES + 10));
    assert.equal(huge.status, 413);
    assert.equal((await post(token, { ...base, durationSeconds: 121 }, webm())).status, 400);
    const { departmentId: _d, ...noDepartment } = base;
    assert.equal((await post(token, noDepartment, webm())).status, 400);

    const other = await visitorSession(server.baseUrl);
    const otherSocket = await connectVisitor(server.baseUrl, other.token);
    const theirs = expectOk(await ask(otherSocket, 'conversation:start', { clientId: clientId(), departmentId: dept, language: 'de', name: 'Y', channel: 'voice', text: 'Hallo' }));
    const foreign = await post(token, { clientId: clientId(), durationSeconds: 5, conversationId: theirs.conversation.id }, webm());
    assert.equal(foreign.status, 404, 'nobody files into another visitor’s conversation');
    assert.equal((await server.zentrale.engine.store.route(theirs.conversation.id))?.state, 'queued', 'and it keeps waiting');
  });
});
