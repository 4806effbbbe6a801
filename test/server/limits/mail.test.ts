import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import type { TicketCreated } from '../../../shared/schemas/tickets.js';
import { clientId, eventually, makeDepartment } from '../../support/chatFixtures.js';
import { ask, expectOk, type VisitorSocket } from '../../support/clients.js';
import { describeEachTarget } from '../../support/dbTargets.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { recipients, startSmtp, type TestSmtp } from '../../support/smtp.js';
import { closeSockets, freshAddress, METRICS_TOKEN, refusals, visitorAt } from './helpers.js';

/** A recipient address no other test uses. */
const stranger = (stem = 'fremd') => `${stem}-${randomUUID().slice(0, 8)}@example.org`;

describeEachTarget('zentrale does not mail strangers for anonymous visitors', (target) => {
  let smtp: TestSmtp;
  let server: TestServer;
  before(async () => {
    smtp = await startSmtp();
    server = await startTestServer({
      db: target.db,
      redis: target.redis,
      env: {
        SMTP_URL: smtp.url,
        TRUST_PROXY: 'loopback',
        METRICS_TOKEN,
        MAILS_PER_RECIPIENT_PER_DAY: '2',
        MAILS_PER_VISITOR_PER_DAY: '2',
        MAILS_PER_ADDRESS_PER_DAY: '3',
      },
    });
  });
  after(async () => {
    await server.close();
    await smtp.close();
  });
  afterEach(closeSockets);

  const ticketFor = async (socket: VisitorSocket, departmentId: number, email: string): Promise<TicketCreated> =>
    expectOk(await ask(socket, 'ticket:create', { clientId: clientId(), departmentId, language: 'de', name: 'Erika', text: 'Hallo', email }));
  /** The decision as stored: the confirmation rows the outbox holds for a ticket. */
  const queuedFor = async (ticketId: number) =>
    Number(
      (await server.zentrale.db.sequelize.query<{ n: number }>('SELECT COUNT(*) AS n FROM mail_outbox WHERE ticket_id = ?', { replacements: [ticketId], type: QueryTypes.SELECT }))[0]?.n,
    );
  const drained = () => eventually(async () => (await server.zentrale.outbox.pending()) === 0, 8000, 'the outbox to drain');

  it('one recipient gets at most MAILS_PER_RECIPIENT_PER_DAY confirmations, however the address is spelled; the ticket is still made and the visitor told no mail comes', async () => {
    const dept = await makeDepartment(server, { offlineFallback: true });
    const victim = stranger('opfer');
    const [local, domain] = victim.split('@') as [string, string];
    const spellings = [victim, `${local.toUpperCase()}+1@${domain}`, `${local}+promo@${domain}`];
    const made: TicketCreated[] = [];
    for (const email of spellings) made.push(await ticketFor((await visitorAt(server, freshAddress())).socket, dept, email));
    assert.deepEqual(made.map((t) => t.mailQueued), [true, true, false]);
    assert.match(made[2]!.ticket.number, /^ZT-/, 'the ticket itself is made');
    assert.deepEqual(await Promise.all(made.map((t) => queuedFor(t.ticket.id))), [1, 1, 0]);
    await drained();
    assert.equal(smtp.mails.filter((m) => recipients(m).some((r) => r.toLowerCase().startsWith(local))).length, 2);
    assert.ok((await refusals(server, 'mails-per-recipient')) >= 1);
  });

  it('one visitor cannot mail a list of strangers: MAILS_PER_VISITOR_PER_DAY', async () => {
    const dept = await makeDepartment(server, { offlineFallback: true });
    const { socket } = await visitorAt(server, freshAddress());
    const made = [await ticketFor(socket, dept, stranger()), await ticketFor(socket, dept, stranger()), await ticketFor(socket, dept, stranger())];
    assert.deepEqual(made.map((t) => t.mailQueued), [true, true, false]);
    assert.equal(await queuedFor(made[2]!.ticket.id), 0);
    assert.ok((await refusals(server, 'mails-per-visitor')) >= 1);
  });

  it('nor can many visitors from one address: MAILS_PER_ADDRESS_PER_DAY', async () => {
    const dept = await makeDepartment(server, { offlineFallback: true });
    const address = freshAddress();
    const made: TicketCreated[] = [];
    for (let i = 0; i < 4; i++) made.push(await ticketFor((await visitorAt(server, address)).socket, dept, stranger()));
    assert.deepEqual(made.map((t) => t.mailQueued), [true, true, true, false]);
    assert.ok((await refusals(server, 'mails-per-address')) >= 1);
  });

  it('a transcript goes to the chat’s own address only, and once: another address is refused (CONFLICT transcript_address), asking again sends nothing more', async () => {
    const dept = await makeDepartment(server);
    const own = stranger('kundin');
    const { socket } = await visitorAt(server, freshAddress());
    const { conversation } = expectOk(await ask(socket, 'conversation:start', { clientId: clientId(), departmentId: dept, language: 'de', name: 'Erika', email: own, text: 'Transkript bitte' }));
    expectOk(await ask(socket, 'conversation:end', { conversationId: conversation.id }));

    const elsewhere = await ask(socket, 'transcript:request', { conversationId: conversation.id, email: stranger() });
    assert.ok(!elsewhere.ok && elsewhere.error.code === 'CONFLICT' && elsewhere.error.reason === 'transcript_address', JSON.stringify(elsewhere));
    assert.deepEqual(expectOk(await ask(socket, 'transcript:request', { conversationId: conversation.id })), { requested: true, email: own, mailQueued: true });
    assert.deepEqual(expectOk(await ask(socket, 'transcript:request', { conversationId: conversation.id, email: own })), { requested: true, email: own, mailQueued: true });
    await smtp.waitFor((m) => recipients(m).includes(own));
    await drained();
    const rows = await server.zentrale.db.sequelize.query<{ n: number }>("SELECT COUNT(*) AS n FROM mail_outbox WHERE conversation_id = ? AND kind = 'transcript'", {
      replacements: [conversation.id],
      type: QueryTypes.SELECT,
    });
    assert.equal(Number(rows[0]?.n), 1, 'one transcript per chat');
    assert.equal(smtp.mails.filter((m) => recipients(m).includes(own)).length, 1);
  });

  it('without a pre-chat address the first one asked for is the chat’s; a transcript over the recipient’s budget is not promised', async () => {
    const dept = await makeDepartment(server);
    const start = async (socket: VisitorSocket) =>
      expectOk(await ask(socket, 'conversation:start', { clientId: clientId(), departmentId: dept, language: 'de', name: 'Erika', text: 'Hallo' })).conversation.id;
    const first = await visitorAt(server, freshAddress());
    const chat = await start(first.socket);
    const mine = stranger();
    assert.equal(expectOk(await ask(first.socket, 'transcript:request', { conversationId: chat, email: mine })).mailQueued, true);
    const second = await ask(first.socket, 'transcript:request', { conversationId: chat, email: stranger() });
    assert.ok(!second.ok && second.error.reason === 'transcript_address');

    // The victim's budget (2 a day) is used up by two other chats; the third is told the truth.
    const victim = stranger('opfer');
    const asked: boolean[] = [];
    for (let i = 0; i < 3; i++) {
      const v = await visitorAt(server, freshAddress());
      const id = await start(v.socket);
      asked.push(expectOk(await ask(v.socket, 'transcript:request', { conversationId: id, email: victim })).mailQueued);
      if (i === 2) assert.equal((await server.zentrale.db.models.Conversation.findByPk(id))?.transcriptEmail, null, 'nothing kept to send later');
    }
    assert.deepEqual(asked, [true, true, false]);
  });
});
