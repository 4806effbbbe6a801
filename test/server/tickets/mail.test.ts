import assert from 'node:assert/strict';
import { clientId, eventually, makeAgent, makeVisitorChat } from '../../support/chatFixtures.js';
import { ask, closeAllSockets, expectOk } from '../../support/clients.js';
import { describeEachDb } from '../../support/dbTargets.js';
import { TestClock, type TestServer } from '../../support/server.js';
import { recipients, startSmtp, type TestSmtp } from '../../support/smtp.js';
import { fallbackDepartment, leaveMessage, ticketServer, tokenOf } from './helpers.js';

const html = (m: { html?: string | false }) => m.html || '';

describeEachDb('ticket e-mails on a real SMTP server', (db) => {
  let smtp: TestSmtp;
  let server: TestServer;
  const clock = new TestClock();
  before(async () => {
    smtp = await startSmtp();
    server = await ticketServer({ db, smtp, clock });
  });
  after(async () => {
    await server.close();
    await smtp.close();
  });
  afterEach(closeAllSockets);

  it('confirms a new ticket in German: number, standard text and the private tracking link — nothing the visitor wrote', async () => {
    const dept = await fallbackDepartment(server);
    const { created } = await leaveMessage(server, dept, { email: 'erika@example.com', name: 'Erika <a href="http://evil.example">Klick</a>', text: 'Ihr Konto ist gesperrt: http://evil.example/login' });
    const mail = await smtp.waitFor((m) => recipients(m).includes('erika@example.com') && (m.subject ?? '').includes(created.ticket.number));
    assert.equal(created.mailQueued, true);
    assert.equal(mail.subject, `Ihre Anfrage ${created.ticket.number} ist bei uns eingegangen`);
    // The address is not confirmed by anyone: neither the message nor the name the visitor typed reaches it.
    assert.match(mail.text ?? '', /^Guten Tag,\n/);
    for (const part of [mail.text ?? '', html(mail)]) {
      assert.ok(!part.includes('evil.example') && !part.includes('gesperrt') && !part.includes('Klick'), 'no visitor-written text');
    }
    assert.match(mail.text ?? '', /Falls Sie uns nicht geschrieben haben, hat jemand anderes Ihre Adresse angegeben/);
    assert.ok((mail.text ?? '').includes(created.trackingUrl), 'the tracking link');
    assert.ok(created.trackingUrl.startsWith(`${server.baseUrl}/ticket/#`));
    assert.ok(html(mail).includes(`href="${created.trackingUrl}"`));
    assert.equal(mail.from?.value[0]?.address, 'support@zentrale.test');
  });

  it('confirms in English for an English visitor, and a callback with phone and time', async () => {
    const dept = await fallbackDepartment(server);
    const { created } = await leaveMessage(server, dept, { email: 'john@example.com', name: 'John Smith', language: 'en', text: 'My invoice is wrong.' });
    const mail = await smtp.waitFor((m) => (m.subject ?? '').includes(created.ticket.number));
    assert.equal(mail.subject, `We have received your request ${created.ticket.number}`);
    assert.match(mail.text ?? '', /^Hello,\n/);
    assert.match(mail.text ?? '', /Follow your request and add to it here:/);

    const v = await leaveMessage(server, dept, { email: 'anna@example.com', text: 'x' });
    const callback = expectOk(
      await ask(v.socket, 'callback:request', {
        clientId: clientId(),
        departmentId: dept,
        language: 'de',
        name: 'Anna',
        phone: '+49 89 555 0100',
        email: 'anna@example.com',
        preferredFrom: '2030-01-15T14:00:00+01:00',
        preferredTo: '2030-01-15T16:00:00+01:00',
      }),
    );
    const cbMail = await smtp.waitFor((m) => (m.subject ?? '').includes(callback.ticket.number));
    assert.equal(cbMail.subject, `Ihre Rückrufbitte ${callback.ticket.number}`);
    assert.match(cbMail.text ?? '', /Wir rufen Sie unter \+49 89 555 0100 zurück\./);
    assert.match(cbMail.text ?? '', /Ihre Wunschzeit: 15\.01\.2030, 14:00 – 15\.01\.2030, 16:00/);
  });

  it('mails public replies in the visitor’s language, never internal notes', async () => {
    const dept = await fallbackDepartment(server);
    const agent = await makeAgent(server, { memberships: [{ departmentId: dept }], available: false });
    for (const [language, subject, intro] of [
      ['de', 'Neue Antwort zu Ihrer Anfrage', 'hat auf Ihre Anfrage'],
      ['en', 'New reply to your request', 'has replied to your request'],
    ] as const) {
      const email = `reply-${language}@example.com`;
      const { created } = await leaveMessage(server, dept, { email, language, text: 'Bitte um Rückmeldung.' });
      expectOk(await ask(agent.socket, 'ticket:note', { ticketId: created.ticket.id, clientId: clientId(), text: 'INTERN: Kunde ist schwierig' }));
      const reply = expectOk(await ask(agent.socket, 'ticket:reply', { ticketId: created.ticket.id, clientId: clientId(), text: 'Wir haben das geprüft: alles in Ordnung.' }));
      const mail = await smtp.waitFor((m) => recipients(m).includes(email) && (m.subject ?? '').startsWith(subject));
      assert.equal(mail.subject, `${subject} ${created.ticket.number}`);
      assert.ok((mail.text ?? '').includes(`${agent.user.name} ${intro} ${created.ticket.number}`));
      assert.ok((mail.text ?? '').includes('> Wir haben das geprüft: alles in Ordnung.'));
      assert.ok((mail.text ?? '').includes(created.trackingUrl), 'the same tracking link again');
      assert.equal(reply.ticket.status, 'open');
    }
    await eventually(async () => (await server.zentrale.outbox.pending()) === 0, 5000, 'the outbox to drain');
    for (const mail of smtp.mails) {
      assert.ok(!(mail.text ?? '').includes('INTERN') && !html(mail).includes('INTERN'), `no note in "${mail.subject}"`);
    }
  });

  it('sends the chat transcript asked for during the chat once it ends, without notes', async () => {
    const dept = await fallbackDepartment(server, { offlineFallback: false });
    const agent = await makeAgent(server, { memberships: [{ departmentId: dept }] });
    const chat = await makeVisitorChat(server, dept, { text: 'Transkript bitte', name: 'Tina' });
    await eventually(() => agent.offers.some((o) => o.conversationId === chat.conversationId), 5000, 'the offer');
    expectOk(await ask(agent.socket, 'offer:accept', { conversationId: chat.conversationId }));
    expectOk(await ask(agent.socket, 'message:send', { conversationId: chat.conversationId, clientId: clientId(), text: 'Gern, hier ist die Antwort.' }));
    expectOk(await ask(agent.socket, 'note:add', { conversationId: chat.conversationId, clientId: clientId(), text: 'INTERN: nur für uns' }));
    expectOk(await ask(chat.socket, 'transcript:request', { conversationId: chat.conversationId, email: 'tina@example.com' }));
    assert.equal(smtp.mails.filter((m) => recipients(m).includes('tina@example.com')).length, 0, 'not before the chat ends');
    expectOk(await ask(chat.socket, 'conversation:end', { conversationId: chat.conversationId }));
    const mail = await smtp.waitFor((m) => recipients(m).includes('tina@example.com'));
    assert.match(mail.subject ?? '', /^Ihr Chatverlauf vom /);
    assert.match(mail.text ?? '', /Sie:\nTranskript bitte/);
    assert.ok((mail.text ?? '').includes(`${agent.user.name}:\nGern, hier ist die Antwort.`));
    assert.ok(!(mail.text ?? '').includes('INTERN'));
  });

  it('keeps a mail the SMTP server refuses and sends it on a later try', async () => {
    const dept = await fallbackDepartment(server);
    smtp.refuseNext(1);
    const { created } = await leaveMessage(server, dept, { email: 'retry@example.com' });
    const row = () => server.zentrale.db.sequelize.query(`SELECT attempts, last_error FROM mail_outbox WHERE ticket_id = ${created.ticket.id}`, { plain: true });
    await eventually(async () => Boolean((await row())?.last_error), 5000, 'the first attempt to fail');
    assert.equal((await row())?.attempts, 1);
    assert.equal(smtp.mails.filter((m) => recipients(m).includes('retry@example.com')).length, 0);
    clock.advance(31_000);
    await server.zentrale.outbox.tick();
    const mail = await smtp.waitFor((m) => recipients(m).includes('retry@example.com'));
    assert.ok((mail.subject ?? '').includes(created.ticket.number));
  });

  it('without SMTP settings a ticket is still made, and nothing is queued', async () => {
    const quiet = await ticketServer({ db });
    try {
      assert.equal(quiet.zentrale.outbox.enabled, false);
      const dept = await fallbackDepartment(quiet);
      const { created } = await leaveMessage(quiet, dept, { email: 'nobody@example.com' });
      assert.match(created.ticket.number, /^ZT-/);
      assert.equal(tokenOf(created.trackingUrl).length, 43);
      assert.equal(created.mailQueued, false, 'the widget must not promise a confirmation');
      assert.equal(await quiet.zentrale.outbox.pending(), 0);
    } finally {
      closeAllSockets();
      await quiet.close();
    }
  });
});
