/// <reference lib="dom" />
// ^ page.evaluate / waitForFunction callbacks run in the browser.
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Conversation, Message } from '../../shared/schemas/chat.js';
import { launchBrowser } from '../support/browser.js';
import { clientId, makeDepartment, makeVisitorChat } from '../support/chatFixtures.js';
import { ask, closeAllSockets, expectOk, login, request } from '../support/clients.js';
import { startTestServer, type TestServer, type TestUser } from '../support/server.js';

const WAIT = { timeout: 15_000 };

async function signIn(page: Page, baseUrl: string, user: { email: string; password: string }): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.getByTestId('login-email').fill(user.email);
  await page.getByTestId('login-password').fill(user.password);
  await page.getByTestId('login-submit').click();
}

/** Waits until the status control shows `value` and is usable again (connected, not pending). */
async function expectStatus(page: Page, value: string): Promise<void> {
  await page.waitForFunction(
    (expected) => {
      const select = document.querySelector<HTMLSelectElement>('[data-testid="status-control"]');
      return select !== null && !select.disabled && select.value === expected;
    },
    value,
    WAIT,
  );
}

describe('browser: agent console', function () {
  this.timeout(60_000);

  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let agent: TestUser;

  before(async function () {
    server = await startTestServer();
    agent = await server.createUser({ role: 'agent', name: 'Petra Pflaume' });
    browser = await launchBrowser();
  });

  after(async function () {
    await browser?.close();
    await server?.close();
  });

  beforeEach(async function () {
    context = await browser.newContext({ locale: 'de-DE' });
    page = await context.newPage();
  });

  afterEach(async function () {
    await context?.close();
  });

  it('signs in with correct credentials and shows the shell with the agent name', async function () {
    await signIn(page, server.baseUrl, agent);
    await page.getByTestId('console-shell').waitFor(WAIT);
    assert.equal(await page.getByTestId('user-name').textContent(), 'Petra Pflaume');
    // Agents see Chats and Tickets, not the supervisor or admin sections.
    await page.getByTestId('nav-chats').waitFor(WAIT);
    assert.equal(await page.getByTestId('nav-admin').count(), 0);
    assert.equal(await page.getByTestId('nav-team').count(), 0);
  });

  it('shows an error for a wrong password', async function () {
    await signIn(page, server.baseUrl, { email: agent.email, password: 'definitely-wrong-password' });
    const error = page.getByTestId('login-error');
    await error.waitFor(WAIT);
    assert.match((await error.textContent()) ?? '', /falsch|Zu viele Versuche/);
    assert.equal(await page.getByTestId('console-shell').count(), 0);
  });

  it('changes the status and a second tab follows', async function () {
    await signIn(page, server.baseUrl, agent);
    await page.getByTestId('console-shell').waitFor(WAIT);
    const second = await context.newPage();
    await second.goto(`${server.baseUrl}/console/`);
    await second.getByTestId('console-shell').waitFor(WAIT);
    // Both tabs are connected and know the current status before we change it.
    await page.waitForFunction(() => !document.querySelector<HTMLSelectElement>('[data-testid="status-control"]')?.disabled, undefined, WAIT);
    await second.waitForFunction(() => !document.querySelector<HTMLSelectElement>('[data-testid="status-control"]')?.disabled, undefined, WAIT);

    await page.getByTestId('status-control').selectOption('away:break');
    await expectStatus(page, 'away:break');
    await expectStatus(second, 'away:break');

    await second.getByTestId('status-control').selectOption('available');
    await expectStatus(second, 'available');
    await expectStatus(page, 'available');
  });

  it('signs out back to the login form', async function () {
    await signIn(page, server.baseUrl, agent);
    await page.getByTestId('console-shell').waitFor(WAIT);
    await page.getByTestId('sign-out').click();
    await page.getByTestId('login-email').waitFor(WAIT);
    // The session is gone on the server too: a reload stays on the login form.
    await page.reload();
    await page.getByTestId('login-email').waitFor(WAIT);
    assert.equal(await page.getByTestId('console-shell').count(), 0);
  });

  it('switches the labels between German and English', async function () {
    await signIn(page, server.baseUrl, agent);
    await page.getByTestId('console-shell').waitFor(WAIT);
    await page.getByTestId('language-en').click();
    await page.getByTestId('sign-out').filter({ hasText: 'Sign out' }).waitFor(WAIT);
    await page.getByText('No active conversations').waitFor(WAIT);
    await page.getByTestId('language-de').click();
    await page.getByTestId('sign-out').filter({ hasText: 'Abmelden' }).waitFor(WAIT);
    await page.getByText('Keine aktiven Gespräche').waitFor(WAIT);
    // The choice is remembered for the next visit.
    await page.getByTestId('language-en').click();
    await page.reload();
    await page.getByTestId('sign-out').filter({ hasText: 'Sign out' }).waitFor(WAIT);
  });

  it('offers the first-admin form on a fresh install, with the token from the setup link', async function () {
    const fresh = await startTestServer();
    try {
      const token = fresh.zentrale.setupToken;
      assert.ok(token, 'a fresh install has a setup token');
      await page.goto(`${fresh.baseUrl}/console/setup?token=${encodeURIComponent(token)}`);
      await page.getByTestId('setup-form').waitFor(WAIT);
      assert.equal(await page.getByTestId('setup-token').inputValue(), token);
      await page.getByTestId('setup-name').fill('Erste Admin');
      await page.getByTestId('setup-email').fill('admin@muster-energie.example');
      await page.getByTestId('setup-password').fill('kurz');
      await page.getByTestId('setup-submit').click();
      await page.getByText('mindestens 10 Zeichen', { exact: false }).waitFor(WAIT);
      await page.getByTestId('setup-password').fill('ein-langes-passwort-2026');
      await page.getByTestId('setup-submit').click();
      await page.getByTestId('console-shell').waitFor(WAIT);
      assert.equal(await page.getByTestId('user-name').textContent(), 'Erste Admin');
      await page.getByTestId('nav-admin').waitFor(WAIT);
      assert.equal(new URL(page.url()).search, '', 'the one-time token is dropped from the address bar');
    } finally {
      // Disconnect the console first: zentrale.close() can hang while an admin console is still connected.
      await page.close();
      await fresh.close();
    }
  });

  describe('chats', function () {
    let department: number;
    let chatAgent: TestUser;
    let supervisor: TestUser;

    before(async function () {
      department = await makeDepartment(server, { softLimitSeconds: 600, offerTimeoutSeconds: 60 });
      chatAgent = await server.createUser({ role: 'agent', name: 'Clara Chat' });
      supervisor = await server.createUser({ role: 'supervisor', name: 'Sven Super' });
      const { DepartmentMember, User } = server.zentrale.db.models;
      await User.update({ maxChats: 3 }, { where: { id: chatAgent.id } });
      await DepartmentMember.create({ userId: chatAgent.id, departmentId: department, level: 'L1', maxChats: null });
      // A canned response for every department, created through the supervisors' REST API.
      const cookie = await login(server.baseUrl, supervisor.email, supervisor.password);
      const created = await request(server.baseUrl, 'POST', '/api/canned-responses', {
        cookie,
        body: { departmentId: null, shortcut: 'gruss', title: 'Begrüßung', body: 'Hallo {visitor.firstName}, hier ist {agent.firstName}.' },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
    });

    afterEach(closeAllSockets);

    it('serves a chat: offer, accept, messages, internal note, canned response, close; the team table shows the agent', async function () {
      await signIn(page, server.baseUrl, chatAgent);
      await page.getByTestId('console-shell').waitFor(WAIT);
      await page.waitForFunction(() => !document.querySelector<HTMLSelectElement>('[data-testid="status-control"]')?.disabled, undefined, WAIT);
      await page.getByTestId('status-control').selectOption('available');
      await expectStatus(page, 'available');

      // A visitor starts a chat: it is offered to the agent.
      const visitor = await makeVisitorChat(server, department, { name: 'Max Mustermann', text: 'Mein Zähler zeigt E-17.', customerNumber: 'K-100234' });
      const offer = page.getByTestId('offer-card');
      await offer.waitFor(WAIT);
      assert.equal(await page.getByTestId('offer-visitor').textContent(), 'Max Mustermann');
      assert.equal(await page.getByTestId('offer-preview').textContent(), 'Mein Zähler zeigt E-17.');
      // Enter accepts (the agent was not typing anywhere).
      await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'offer-accept', undefined, WAIT);
      await page.keyboard.press('Enter');
      await offer.waitFor({ state: 'detached', ...WAIT });

      const chat = page.locator(`[data-testid="chat-view"][data-conversation-id="${visitor.conversationId}"]`);
      await chat.waitFor(WAIT);
      await chat.getByText('Mein Zähler zeigt E-17.').waitFor(WAIT);
      assert.match((await page.getByTestId('chat-timer').textContent()) ?? '', /\d\d:\d\d/);
      assert.equal(await page.getByTestId('visitor-name').textContent(), 'Max Mustermann');

      // The customer number the visitor typed is shown as unverified until the agent confirms it.
      const customer = page.getByTestId('visitor-customer');
      assert.equal(await customer.getByTestId('visitor-customer-number').textContent(), 'K-100234');
      await customer.getByTestId('visitor-customer-unverified').filter({ hasText: 'Vom Besucher angegeben, nicht geprüft' }).waitFor(WAIT);
      await customer.getByTestId('visitor-customer-verify').filter({ hasText: 'Kundennummer bestätigen' }).click();
      await customer.getByTestId('visitor-customer-verified').filter({ hasText: 'Geprüft' }).waitFor(WAIT);
      assert.equal(await customer.getByTestId('visitor-customer-verify').count(), 0, 'nothing left to confirm');

      // The visitor writes; the agent sees it.
      expectOk(await ask(visitor.socket, 'message:send', { conversationId: visitor.conversationId, clientId: clientId(), text: 'Hallo, sind Sie da?' }));
      await chat.getByText('Hallo, sind Sie da?').waitFor(WAIT);

      // The agent answers with Enter; the visitor receives it.
      const visitorMessages: Message[] = [];
      visitor.socket.on('message:sent', (message) => visitorMessages.push(message));
      const input = page.getByTestId('composer-input');
      await input.fill('Guten Tag, ich sehe mir das an.');
      await input.press('Enter');
      await page.locator('[data-testid="message"][data-kind="agent"]').filter({ hasText: 'Guten Tag, ich sehe mir das an.' }).waitFor(WAIT);
      await waitUntil(() => visitorMessages.some((m) => m.body === 'Guten Tag, ich sehe mir das an.'), 'the visitor gets the reply');

      // An internal note is shown as such and never reaches the visitor.
      await page.getByTestId('mode-note').click();
      await input.fill('Zählertausch prüfen');
      await input.press('Enter');
      const note = page.locator('[data-testid="message"][data-kind="note"]').filter({ hasText: 'Zählertausch prüfen' });
      await note.waitFor(WAIT);
      assert.match((await note.textContent()) ?? '', /Interne Notiz – nur für Agenten sichtbar/);

      // "/" opens the canned responses; Enter inserts one with the variables filled in.
      await page.getByTestId('mode-reply').click();
      await input.pressSequentially('/gr');
      await page.getByTestId('canned-picker').waitFor(WAIT);
      await page.locator('[data-testid="canned-option"][data-shortcut="gruss"]').waitFor(WAIT);
      await input.press('Enter');
      assert.equal(await input.inputValue(), 'Hallo Max, hier ist Clara.');
      await input.press('Enter');
      await waitUntil(() => visitorMessages.some((m) => m.body === 'Hallo Max, hier ist Clara.'), 'the visitor gets the canned response');
      assert.ok(!visitorMessages.some((m) => m.internal || m.body === 'Zählertausch prüfen'), 'notes stay internal');

      // Written while the connection is down: kept in the outbox and sent after the reconnect.
      await context.setOffline(true);
      await page.getByTestId('connection-state').and(page.locator('[data-state="reconnecting"]')).waitFor(WAIT);
      await input.fill('Bin gleich wieder da.');
      await input.press('Enter');
      await page.locator('[data-testid="outbox-item"][data-status="pending"]').waitFor(WAIT);
      await context.setOffline(false);
      await page.locator('[data-testid="message"][data-kind="agent"]').filter({ hasText: 'Bin gleich wieder da.' }).waitFor({ timeout: 30_000 });
      assert.equal(await page.getByTestId('outbox-item').count(), 0);
      await waitUntil(() => visitorMessages.filter((m) => m.body === 'Bin gleich wieder da.').length === 1, 'the visitor gets it once');


      const supervisorPage = await browser.newPage({ locale: 'de-DE' });
      try {
        await signIn(supervisorPage, server.baseUrl, supervisor);
        await supervisorPage.getByTestId('nav-team').click();
        const row = supervisorPage.locator(`[data-testid="team-row"][data-agent-id="${chatAgent.id}"]`);
        await row.waitFor(WAIT);
        await row.locator('[data-testid="team-status"]').filter({ hasText: 'Verfügbar' }).waitFor(WAIT);
        await row.locator('[data-testid="team-chat"]').first().waitFor(WAIT);
        // The chat opens read-only.
        await row.locator('[data-testid="team-chat"]').first().click();
        await supervisorPage.getByTestId('conversation-viewer').getByText('Hallo Max, hier ist Clara.').waitFor(WAIT);
      } finally {
        await supervisorPage.close();
      }

      // Closing asks first, then ends the chat for the visitor too.
      const updated = new Promise<Conversation>((resolve) => visitor.socket.on('conversation:updated', (c) => c.status === 'closed' && resolve(c)));
      await page.getByTestId('chat-close').click();
      await page.getByTestId('confirm-ok').click();
      await chat.waitFor({ state: 'detached', ...WAIT });
      assert.equal((await updated).status, 'closed');
      await page.getByText('Keine aktiven Gespräche').waitFor(WAIT);
    });

    it('shows a notice when an offer times out, and accepts by itself with auto-accept', async function () {
      const quick = await makeDepartment(server, { offerTimeoutSeconds: 5 });
      const agentUser = await server.createUser({ role: 'agent', name: 'Tim Takt' });
      await server.zentrale.db.models.DepartmentMember.create({ userId: agentUser.id, departmentId: quick, level: 'L1', maxChats: null });
      await signIn(page, server.baseUrl, agentUser);
      await page.getByTestId('console-shell').waitFor(WAIT);
      await page.waitForFunction(() => !document.querySelector<HTMLSelectElement>('[data-testid="status-control"]')?.disabled, undefined, WAIT);
      await page.getByTestId('status-control').selectOption('available');
      await expectStatus(page, 'available');

      // Not answered: the offer goes away, the agent is set away and told so.
      await makeVisitorChat(server, quick, { name: 'Erika Eilig' });
      await page.getByTestId('offer-card').waitFor(WAIT);
      assert.match((await page.getByTestId('offer-countdown').textContent()) ?? '', /\d+ s/);
      const notice = page.locator('[data-testid="offer-notice"][data-kind="timeout"]');
      await notice.waitFor(WAIT);
      assert.equal(await page.getByTestId('offer-card').count(), 0);
      await expectStatus(page, 'away:missed_offer');
      assert.match((await notice.textContent()) ?? '', /Erika Eilig.*abgelaufen.*Abwesend/s);

      // With auto-accept the next chat becomes the agent's without a question.
      await page.getByTestId('auto-accept').check();
      await page.waitForFunction(() => document.querySelector<HTMLInputElement>('[data-testid="auto-accept"]')?.checked === true, undefined, WAIT);
      await page.getByTestId('offer-back-available').click();
      await expectStatus(page, 'available');
      await makeVisitorChat(server, quick, { name: 'Otto Ohnefrage' });
      await page.getByTestId('chat-row').filter({ hasText: 'Otto Ohnefrage' }).waitFor(WAIT);
      await page.getByTestId('chat-view').waitFor(WAIT);
      assert.equal(await page.getByTestId('offer-card').count(), 0);
    });
  });
});

async function waitUntil(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
