/// <reference lib="dom" />
import assert from 'node:assert/strict';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.js';
import type { Message } from '../../shared/schemas/chat.js';
import type { AgentTicket } from '../../shared/schemas/tickets.js';
import { clientId, makeAgent, makeDepartment } from '../support/chatFixtures.js';
import { ask, closeAllSockets, expectOk, login, nextEvent, request } from '../support/clients.js';
import { startTestServer, TestClock, type TestServer, type TestUser } from '../support/server.js';
import { recipients, startSmtp, type TestSmtp } from '../support/smtp.js';

const WAIT = { timeout: 15_000 };
const NUMBER = /^ZT-\d{4}-\d{6}$/;

async function signIn(page: Page, baseUrl: string, user: TestUser): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.getByTestId('login-email').fill(user.email);
  await page.getByTestId('login-password').fill(user.password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('console-shell').waitFor(WAIT);
}

async function openWidget(page: Page, baseUrl: string, departmentId: number): Promise<FrameLocator> {
  await page.goto(`${baseUrl}/`);
  const widget = page.frameLocator('iframe[data-zentrale-widget]');
  await widget.getByTestId('widget-launcher').click();
  await widget.locator(`[data-testid="prechat-department"] option[value="${departmentId}"]`).waitFor({ state: 'attached', ...WAIT });
  await widget.getByTestId('prechat-department').selectOption(String(departmentId));
  return widget;
}

/**
 * The offline fallback end to end in real browser pages: the visitor leaves a message while
 * nobody is online and sees the ticket number at once; an agent answers in the console (and
 * writes an internal note); the reply appears on the tracking page and in the widget, the note
 * nowhere on the visitor's side.
 */
describe('browser: tickets (offline fallback)', function () {
  this.timeout(120_000);
  let server: TestServer;
  let smtp: TestSmtp;
  let browser: Browser;
  const clock = new TestClock();
  let department: number;
  let agent: TestUser;

  before(async () => {
    smtp = await startSmtp();
    server = await startTestServer({
      clock,
      env: { SMTP_URL: smtp.url, MAIL_FROM: 'Kundenservice <support@zentrale.test>', PUBLIC_TICKET_REQUESTS_PER_MINUTE: '10000' },
    });
    department = await makeDepartment(server, { offlineFallback: true, maxWaitSeconds: 120 });
    await server.zentrale.db.models.Department.update({ name: 'Technik' }, { where: { id: department } });
    agent = await server.createUser({ name: 'Tom Becker' });
    await server.zentrale.db.models.DepartmentMember.create({ userId: agent.id, departmentId: department, level: 'L1', maxChats: 3 });
    browser = await launchBrowser();
  });
  after(async () => {
    closeAllSockets();
    await browser?.close();
    await server?.close();
    await smtp?.close();
  });

  it('nobody online → leave a message → ticket number → agent answers in the console → the reply is on the tracking page', async () => {
    // The visitor: nobody is signed in, so the visitor leaves a message.
    const visitorPage = await (await browser.newContext({ locale: 'de-DE' })).newPage();
    const widget = await openWidget(visitorPage, server.baseUrl, department);
    await widget.getByTestId('prechat-mode-message').check();
    await widget.getByTestId('prechat-name').fill('Erika Mustermann');
    await widget.getByTestId('prechat-email').fill('erika@example.com');
    await widget.getByTestId('prechat-subject').fill('Router blinkt rot');
    await widget.getByTestId('prechat-message').fill('Seit heute Morgen blinkt mein Router rot und das Internet geht nicht.');
    await widget.getByTestId('prechat-submit').click();

    // The ticket number at once, with the e-mail hint and the private tracking link.
    const view = widget.getByTestId('ticket-view');
    await view.waitFor(WAIT);
    await widget.getByTestId('ticket-saved').filter({ hasText: 'Ihre Anfrage ist bei uns eingegangen' }).waitFor(WAIT);
    const number = ((await widget.getByTestId('ticket-number').textContent()) ?? '').trim();
    assert.match(number, NUMBER);
    assert.match((await widget.getByTestId('ticket-email-hint').textContent()) ?? '', /erika@example\.com/);
    const trackingUrl = (await widget.getByTestId('ticket-tracking-link').getAttribute('href')) ?? '';
    assert.match(trackingUrl, /\/ticket\/#[A-Za-z0-9_-]{43}$/);
    await view.locator('[data-testid="message"]').filter({ hasText: 'Seit heute Morgen blinkt mein Router rot' }).waitFor(WAIT);
    // Focus moved to the confirmation, for keyboard and screen-reader users.
    assert.equal(await widget.getByTestId('ticket-saved').evaluate((el) => el === document.activeElement), true);

    // The confirmation mail names the number and carries the link.
    const confirmation = await smtp.waitFor((mail) => (mail.subject ?? '').includes(number));
    assert.deepEqual(recipients(confirmation), ['erika@example.com']);
    assert.ok((confirmation.text ?? '').includes(trackingUrl), 'the mail carries the tracking link');

    // The agent finds it in the inbox (unanswered, new) and opens it.
    const console_ = await (await browser.newContext({ locale: 'de-DE' })).newPage();
    await signIn(console_, server.baseUrl, agent);
    await console_.getByTestId('nav-badge-tickets').filter({ hasText: '1' }).waitFor(WAIT);
    await console_.getByTestId('nav-tickets').click();
    const row = console_.locator(`[data-testid="ticket-row"][data-number="${number}"]`);
    await row.waitFor(WAIT);
    assert.match((await row.textContent()) ?? '', /Router blinkt rot/);
    assert.equal(await row.getByTestId('ticket-status-badge').getAttribute('data-status'), 'new');
    await row.click();
    await console_.waitForURL(/\/console\/tickets\/\d+$/, WAIT);
    const detail = console_.getByTestId('ticket-detail');
    await detail.getByTestId('ticket-detail-number').filter({ hasText: number }).waitFor(WAIT);
    await detail.locator('[data-testid="message"][data-kind="visitor"]').filter({ hasText: 'Seit heute Morgen blinkt mein Router rot' }).waitFor(WAIT);
    assert.equal(await detail.getByTestId('ticket-customer-email').textContent(), 'erika@example.com');

    // An internal note first: clearly marked, and never on the visitor's side.
    await detail.getByTestId('ticket-mode-note').click();
    assert.equal(await detail.getByTestId('ticket-composer').getAttribute('data-mode'), 'note');
    await detail.getByTestId('ticket-composer-input').fill('Kundin hat Vertrag 4711, Leitung prüfen.');
    await detail.getByTestId('ticket-composer-send').click();
    await detail.locator('[data-testid="message"][data-kind="note"]').filter({ hasText: 'Vertrag 4711' }).waitFor(WAIT);

    // The public reply (Ctrl+Enter sends), setting the ticket to pending.
    await detail.getByTestId('ticket-mode-reply').click();
    await detail.getByTestId('ticket-reply-status').selectOption('pending');
    await detail.getByTestId('ticket-composer-input').fill('Guten Tag Frau Mustermann, bitte starten Sie den Router einmal neu.');
    await detail.getByTestId('ticket-composer-input').press('Control+Enter');
    await detail.locator('[data-testid="message"][data-kind="agent"]').filter({ hasText: 'bitte starten Sie den Router einmal neu' }).waitFor(WAIT);
    await detail.getByTestId('ticket-status-badge').and(console_.locator('[data-status="pending"]')).waitFor(WAIT);
    await detail.getByTestId('ticket-assignee-select').evaluate((el) => (el as HTMLSelectElement).value).then((v) => assert.equal(v, String(agent.id), 'whoever answers first takes it'));

    // The visitor still has the widget open: the reply arrives live, the note does not.
    await view.locator('[data-testid="message"][data-sender="agent"]').filter({ hasText: 'bitte starten Sie den Router einmal neu' }).waitFor(WAIT);
    await view.getByTestId('ticket-status').and(widget.locator('[data-status="pending"]')).waitFor(WAIT);

    // The tracking page: number, status, the public thread with the reply; no note.
    const tracking = await (await browser.newContext({ locale: 'de-DE' })).newPage();
    await tracking.goto(trackingUrl);
    await tracking.getByTestId('track-number').filter({ hasText: number }).waitFor(WAIT);
    await tracking.getByTestId('track-message').filter({ hasText: 'bitte starten Sie den Router einmal neu' }).waitFor(WAIT);
    assert.equal(await tracking.getByTestId('track-status').getAttribute('data-status'), 'pending');
    const page = (await tracking.locator('body').textContent()) ?? '';
    assert.ok(!page.includes('4711'), 'internal notes never reach the tracking page');
    assert.ok(!((await widget.locator('body').textContent()) ?? '').includes('4711'), 'nor the widget');

    // The visitor answers on the tracking page; the agent sees it live and the ticket reopens.
    await tracking.getByTestId('track-comment-input').fill('Neustart hat geholfen, danke!');
    await tracking.getByTestId('track-comment-submit').click();
    await tracking.getByTestId('track-comment-sent').waitFor(WAIT);
    await tracking.getByTestId('track-message').filter({ hasText: 'Neustart hat geholfen' }).waitFor(WAIT);
    await detail.locator('[data-testid="message"][data-kind="visitor"]').filter({ hasText: 'Neustart hat geholfen' }).waitFor(WAIT);
    await row.getByTestId('ticket-status-badge').and(console_.locator('[data-status="open"]')).waitFor(WAIT);

    // The tracking page in English on request; a wrong token is a plain "not found".
    await tracking.getByTestId('language-en').click();
    await tracking.getByTestId('track-number').filter({ hasText: `Request ${number}` }).waitFor(WAIT);
    const wrong = await (await browser.newContext({ locale: 'de-DE' })).newPage();
    await wrong.goto(trackingUrl.replace(/#.*/, `#${'A'.repeat(43)}`));
    await wrong.getByTestId('track-not-found').waitFor(WAIT);
    assert.equal(((await wrong.getByTestId('track-not-found').textContent()) ?? '').replace(/\s+/g, ' ').trim(), 'Nicht gefunden Diese Seite gibt es nicht.');

    for (const p of [visitorPage, console_, tracking, wrong]) await p.context().close();
  });

  it('past the maximum wait the visitor asks for a callback; the agent marks it called back', async () => {
    // An agent on a break is online: the chat waits instead of becoming a ticket at once.
    const onBreak = await makeAgent(server, { memberships: [{ departmentId: department }] });
    await onBreak.setStatus('away');

    const visitorPage = await (await browser.newContext({ locale: 'de-DE' })).newPage();
    const widget = await openWidget(visitorPage, server.baseUrl, department);
    await widget.getByTestId('prechat-name').fill('Max Meier');
    await widget.getByTestId('prechat-message').fill('Meine Rechnung ist doppelt abgebucht worden.');
    await widget.getByTestId('prechat-submit').click();
    await widget.getByTestId('queue-status').waitFor(WAIT);
    // "Leave a message" is there all along while waiting.
    await widget.getByTestId('leave-message').waitFor(WAIT);

    clock.advance(121_000);
    await server.zentrale.tickets.tick();
    const options = widget.getByTestId('wait-options');
    await options.waitFor(WAIT);
    assert.equal(await options.getAttribute('data-step'), 'choices');
    await widget.getByTestId('choice-callback').click();

    // The callback form checks the phone number before sending anything.
    await widget.getByTestId('callback-phone').fill('abc');
    await widget.getByTestId('wait-submit').click();
    await widget.getByText('Bitte geben Sie eine gültige Telefonnummer ein').waitFor(WAIT);
    assert.equal(await widget.getByTestId('callback-phone').getAttribute('aria-invalid'), 'true');
    await widget.getByTestId('callback-phone').fill('+49 30 1234567');
    await widget.getByTestId('callback-window').check();
    await widget.getByTestId('callback-day').selectOption({ index: 1 });
    await widget.getByTestId('callback-from').selectOption('14:00');
    await widget.getByTestId('callback-to').selectOption('13:00');
    await widget.getByTestId('wait-submit').click();
    await widget.getByTestId('callback-time-error').filter({ hasText: 'Die Endzeit muss nach der Anfangszeit liegen.' }).waitFor(WAIT);
    await widget.getByTestId('callback-to').selectOption('16:00');
    await widget.getByTestId('wait-submit').click();

    await widget.getByTestId('ticket-saved').filter({ hasText: 'Ihre Rückrufbitte ist bei uns eingegangen' }).waitFor(WAIT);
    assert.match((await widget.getByTestId('ticket-source').textContent()) ?? '', /\+49 30 1234567/);
    const number = ((await widget.getByTestId('ticket-number').textContent()) ?? '').trim();
    assert.match(number, NUMBER);
    // The chat's messages stay in the ticket's thread.
    await widget.getByTestId('ticket-view').locator('[data-testid="message"]').filter({ hasText: 'doppelt abgebucht' }).waitFor(WAIT);

    // The agent: the callback ticket in the department's list, with the "called back" action.
    const console_ = await (await browser.newContext({ locale: 'de-DE' })).newPage();
    await signIn(console_, server.baseUrl, agent);
    await console_.getByTestId('nav-tickets').click();
    await console_.getByTestId('filter-toggle').click();
    await console_.getByTestId('filter-kind').selectOption('callback');
    await console_.getByTestId('filter-summary').waitFor({ state: 'detached', ...WAIT });
    const row = console_.locator(`[data-testid="ticket-row"][data-number="${number}"]`);
    await row.getByTestId('ticket-kind-badge').waitFor(WAIT);
    await row.click();
    const callback = console_.getByTestId('ticket-callback');
    await callback.getByTestId('ticket-callback-phone').filter({ hasText: '+49 30 1234567' }).waitFor(WAIT);
    await callback.getByTestId('ticket-called-back-button').click();
    const dialog = console_.getByTestId('called-back-dialog');
    await dialog.getByTestId('called-back-note').fill('Erreicht, Gutschrift veranlasst.');
    await dialog.getByTestId('called-back-confirm').click();
    await dialog.waitFor({ state: 'detached', ...WAIT });
    await callback.getByTestId('ticket-called-back').waitFor(WAIT);
    await console_.getByTestId('ticket-detail').locator('[data-testid="message"][data-kind="note"]').filter({ hasText: 'Gutschrift veranlasst' }).waitFor(WAIT);
    assert.equal(await console_.getByTestId('ticket-status-select').evaluate((el) => (el as HTMLSelectElement).value), 'solved');

    // Solved: the visitor's widget shows it live.
    await widget.getByTestId('ticket-view').getByTestId('ticket-status').and(widget.locator('[data-status="solved"]')).waitFor(WAIT);

    for (const p of [visitorPage, console_]) await p.context().close();
  });
  it('the visitor comes back: "your requests" with the new reply, a comment from the widget reaches the agent live', async () => {
    const context = await browser.newContext({ locale: 'de-DE' });
    let page = await context.newPage();
    let widget = await openWidget(page, server.baseUrl, department);
    await widget.getByTestId('prechat-mode-message').check();
    await widget.getByTestId('prechat-name').fill('Jana Roth');
    await widget.getByTestId('prechat-message').fill('Die Abrechnung für Oktober fehlt in meinem Kundenkonto.');
    await widget.getByTestId('prechat-submit').click();
    const number = ((await widget.getByTestId('ticket-number').textContent()) ?? '').trim();
    assert.match(number, NUMBER);
    // No e-mail given: the widget says where the answer will appear.
    await widget.getByTestId('ticket-email-hint').filter({ hasText: 'Notieren Sie sich die Ticketnummer' }).waitFor(WAIT);
    await page.close();

    // Meanwhile an agent answers (over the socket, as another console would).
    const tom = await makeAgent(server, { memberships: [{ departmentId: department }], available: false });
    const inbox = expectOk(await ask(tom.socket, 'ticket:list', { status: ['new'] }));
    const ticket = inbox.tickets.find((x: AgentTicket) => x.number === number);
    assert.ok(ticket, 'the ticket is in the inbox');
    expectOk(await ask(tom.socket, 'ticket:reply', { ticketId: ticket.id, clientId: clientId(), text: 'Die Abrechnung steht jetzt in Ihrem Konto.' }));

    // The visitor comes back (same browser): the pre-chat form leads to the requests, the new reply is marked.
    page = await context.newPage();
    widget = await openWidget(page, server.baseUrl, department);
    await widget.getByTestId('my-tickets-new').waitFor(WAIT);
    await widget.getByTestId('my-tickets').click();
    const row = widget.locator(`[data-testid="ticket-row"][data-number="${number}"]`);
    await row.getByTestId('ticket-new-reply').waitFor(WAIT);
    await row.click();
    const view = widget.getByTestId('ticket-view');
    await view.locator('[data-testid="message"][data-sender="agent"]').filter({ hasText: 'Die Abrechnung steht jetzt in Ihrem Konto.' }).waitFor(WAIT);
    assert.equal(await widget.getByTestId('ticket-number').textContent(), number);
    assert.equal(await widget.getByTestId('ticket-saved').count(), 0, 'no "just saved" banner for an earlier request');

    // A comment from the widget reaches the agent at once.
    const pushed = nextEvent<{ ticketId: number; message: Message }>(tom.socket, 'ticket:message', 10_000);
    await widget.getByTestId('ticket-comment-input').fill('Danke, gefunden!');
    await widget.getByTestId('ticket-comment-input').press('Enter');
    await view.locator('[data-testid="message"][data-status="delivered"]').filter({ hasText: 'Danke, gefunden!' }).waitFor(WAIT);
    const comment = await pushed;
    assert.deepEqual([comment.ticketId, comment.message.body, comment.message.senderType], [ticket.id, 'Danke, gefunden!', 'visitor']);

    // Back to the list, which now has nothing unseen.
    await widget.getByTestId('ticket-back').click();
    await row.waitFor(WAIT);
    assert.equal(await row.getByTestId('ticket-new-reply').count(), 0);
    await context.close();
  });

  it('an overdue first response is marked in the inbox and a supervisor is told live', async () => {
    const slaDepartment = await makeDepartment(server, { offlineFallback: true });
    const supervisor = await server.createUser({ name: 'Sabine Schulz', role: 'supervisor' });
    const cookie = await login(server.baseUrl, supervisor.email, supervisor.password);
    const policy = await request(server.baseUrl, 'PUT', '/api/sla-policies', {
      cookie,
      headers: { origin: server.baseUrl },
      body: { departmentId: slaDepartment, urgency: 'limited_usability', firstResponseMinutes: 10, resolutionMinutes: null },
    });
    assert.equal(policy.status, 200, JSON.stringify(policy.body));

    const page = await (await browser.newContext({ locale: 'de-DE' })).newPage();
    await signIn(page, server.baseUrl, supervisor);
    await page.getByTestId('nav-tickets').click();
    await page.getByTestId('ticket-inbox').waitFor(WAIT);

    const visitorPage = await (await browser.newContext({ locale: 'de-DE' })).newPage();
    const widget = await openWidget(visitorPage, server.baseUrl, slaDepartment);
    await widget.getByTestId('prechat-mode-message').check();
    await widget.getByTestId('prechat-name').fill('Olaf Kunde');
    await widget.getByTestId('prechat-message').fill('Die Lieferung ist beschädigt angekommen.');
    await widget.getByTestId('prechat-submit').click();
    const number = ((await widget.getByTestId('ticket-number').textContent()) ?? '').trim();

    // The new ticket appears in the supervisor's inbox live.
    const row = page.locator(`[data-testid="ticket-row"][data-number="${number}"]`);
    await row.waitFor(WAIT);
    assert.equal(await row.getByTestId('ticket-sla-badge').count(), 0);

    clock.advance(11 * 60_000);
    await server.zentrale.tickets.tick();
    const notice = page.locator(`[data-testid="escalation-notice"][data-level="breached"]`);
    await notice.filter({ hasText: number }).waitFor(WAIT);
    await row.getByTestId('ticket-sla-badge').and(page.locator('[data-escalation="breached"]')).waitFor(WAIT);
    await notice.getByTestId('escalation-open').click();
    await page.getByTestId('ticket-detail-number').filter({ hasText: number }).waitFor(WAIT);
    await page.getByTestId('ticket-sla').locator('[data-state="breached"]').waitFor(WAIT);
    await notice.waitFor({ state: 'detached', ...WAIT });

    for (const p of [page, visitorPage]) await p.context().close();
  });
});
