/// <reference lib="dom" />
// ^ page.evaluate / waitForFunction callbacks run in the browser.
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.js';
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
      await fresh.close();
    }
  });
});
