import assert from 'node:assert/strict';
import type { Message } from '../../../shared/schemas/chat.js';
import { accept, clientId, eventually, makeAgent, makeDepartment, makeVisitorChat } from '../../support/chatFixtures.js';
import { closeAllSockets, nextEvent, visitorSession } from '../../support/clients.js';
import { describeEachDb } from '../../support/dbTargets.js';
import { startTestServer, type TestServer } from '../../support/server.js';

// A 1×1 PNG and the start of a PDF: enough for content detection.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n');

async function upload(server: TestServer, conversationId: string, body: Buffer, headers: Record<string, string>) {
  const res = await fetch(`${server.baseUrl}/api/conversations/${conversationId}/attachments`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', 'x-client-id': clientId(), ...headers },
    body: new Uint8Array(body),
  });
  return { status: res.status, body: (await res.json()) as { ok: boolean; data?: { message: Message; duplicate: boolean }; error?: { code: string } } };
}

describeEachDb('attachments', (db) => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ db, env: { ATTACHMENT_MAX_BYTES: '65536' } });
  });
  after(() => server.close());
  afterEach(closeAllSockets);

  it('a visitor sends an image; the agent gets it, another visitor cannot', async () => {
    const dept = await makeDepartment(server);
    const agent = await makeAgent(server, { memberships: [{ departmentId: dept }] });
    const visitor = await makeVisitorChat(server, dept);
    await eventually(() => agent.offers.length === 1, 3000, 'offer');
    await accept(agent, visitor.conversationId);
    const pushed = nextEvent<Message>(agent.socket, 'message:sent');
    const cid = clientId();
    const sent = await upload(server, visitor.conversationId, PNG, { authorization: `Bearer ${visitor.token}`, 'x-filename': encodeURIComponent('Zähler foto.png'), 'x-client-id': cid, 'content-type': 'text/plain' });
    assert.equal(sent.status, 201);
    const attachment = sent.body.data!.message.attachment!;
    assert.deepEqual({ name: attachment.name, mime: attachment.mime, size: attachment.size }, { name: 'Zähler foto.png', mime: 'image/png', size: PNG.length });
    assert.equal((await pushed).attachment?.id, attachment.id);
    const retry = await upload(server, visitor.conversationId, PNG, { authorization: `Bearer ${visitor.token}`, 'x-filename': 'x.png', 'x-client-id': cid });
    assert.equal(retry.status, 200);
    assert.equal(retry.body.data!.duplicate, true);
    assert.equal(retry.body.data!.message.attachment!.id, attachment.id);

    const asAgent = await fetch(`${server.baseUrl}/api/attachments/${attachment.id}`, { headers: { cookie: agent.cookie } });
    assert.equal(asAgent.status, 200);
    assert.equal(asAgent.headers.get('content-type'), 'image/png');
    assert.deepEqual(Buffer.from(await asAgent.arrayBuffer()), PNG);
    const asVisitor = await fetch(`${server.baseUrl}/api/attachments/${attachment.id}`, { headers: { authorization: `Bearer ${visitor.token}` } });
    assert.equal(asVisitor.status, 200);
    const stranger = await visitorSession(server.baseUrl);
    const asStranger = await fetch(`${server.baseUrl}/api/attachments/${attachment.id}`, { headers: { authorization: `Bearer ${stranger.token}` } });
    assert.equal(asStranger.status, 404);
    const anonymous = await fetch(`${server.baseUrl}/api/attachments/${attachment.id}`);
    assert.equal(anonymous.status, 401);
    const strangerUpload = await upload(server, visitor.conversationId, PNG, { authorization: `Bearer ${stranger.token}`, 'x-filename': 'x.png' });
    assert.equal(strangerUpload.status, 404);
  });

  it('checks the type by content and the size, with clear errors', async () => {
    const dept = await makeDepartment(server);
    const visitor = await makeVisitorChat(server, dept);
    const auth = { authorization: `Bearer ${visitor.token}` };
    const pdf = await upload(server, visitor.conversationId, PDF, { ...auth, 'x-filename': 'Rechnung.pdf' });
    assert.equal(pdf.status, 201);
    assert.equal(pdf.body.data!.message.attachment!.mime, 'application/pdf');
    const disguised = await upload(server, visitor.conversationId, Buffer.from('<script>alert(1)</script>'), { ...auth, 'x-filename': 'bild.png', 'content-type': 'image/png' });
    assert.equal(disguised.status, 400);
    assert.equal(disguised.body.error!.code, 'VALIDATION_FAILED');
    const huge = await upload(server, visitor.conversationId, Buffer.concat([PNG, Buffer.alloc(70_000)]), { ...auth, 'x-filename': 'big.png' });
    assert.equal(huge.status, 413);
    const badName = await upload(server, visitor.conversationId, PNG, { ...auth, 'x-filename': encodeURIComponent('../../etc/passwd') });
    assert.equal(badName.status, 400);
    const stored = await server.zentrale.db.models.Attachment.count({ where: { conversationId: visitor.conversationId } });
    assert.equal(stored, 1, 'only the PDF was stored');
    const download = await fetch(`${server.baseUrl}/api/attachments/${pdf.body.data!.message.attachment!.id}`, { headers: auth });
    assert.equal(download.headers.get('content-type'), 'application/pdf');
    assert.match(download.headers.get('content-disposition') ?? '', /^attachment; filename\*=UTF-8''Rechnung\.pdf$/);
    assert.equal(download.headers.get('x-content-type-options'), 'nosniff');
  });
});
