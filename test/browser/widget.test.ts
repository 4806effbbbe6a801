/// <reference lib="dom" />
// ^ page.evaluate / waitForFunction callbacks run in the browser.
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, FrameLocator, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/server.js';

const WAIT = { timeout: 15_000 };

/** The widget as a visitor sees it on the demo page: inside the loader's iframe. */
function widgetFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe[data-zentrale-widget]');
}

async function openWidget(page: Page): Promise<FrameLocator> {
  const frame = widgetFrame(page);
  const launcher = frame.getByTestId('widget-launcher');
  await launcher.waitFor(WAIT);
  if ((await launcher.getAttribute('aria-expanded')) !== 'true') await launcher.click();
  await frame.getByTestId('widget-panel').waitFor(WAIT);
  return frame;
}

describe('browser: widget on the demo page', function () {
  this.timeout(60_000);

  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  before(async function () {
    server = await startTestServer();
    await server.seedDemo();
    browser = await launchBrowser();
  });

  after(async function () {
    await browser?.close();
    await server?.close();
  });

  beforeEach(async function () {
    // German browser: the widget should pick German unless told otherwise.
    context = await browser.newContext({ locale: 'de-DE', viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
  });

  afterEach(async function () {
    await context?.close();
  });

  it('loads the demo page, and the loader adds exactly one iframe pointing at the widget page', async function () {
    await page.goto(`${server.baseUrl}/`);
    await page.getByTestId('console-link').waitFor(WAIT);
    assert.equal(await page.getByTestId('console-link').getAttribute('href'), '/console/');

    const iframe = page.locator('iframe[data-zentrale-widget]');
    await iframe.waitFor({ state: 'attached', ...WAIT });
    assert.equal(await iframe.count(), 1);
    const src = new URL((await iframe.getAttribute('src')) ?? '');
    assert.equal(src.origin, new URL(server.baseUrl).origin);
    assert.equal(src.pathname, '/widget/');
    assert.equal(src.searchParams.get('host'), new URL(server.baseUrl).origin);

    // Closed: the iframe is launcher-sized, so it does not cover the page.
    const closed = await iframe.boundingBox();
    assert.ok(closed && closed.width <= 120 && closed.height <= 120, `closed iframe is small: ${JSON.stringify(closed)}`);

    await openWidget(page);
    // Open: the widget asked the loader (postMessage) to grow the iframe.
    await page.waitForFunction(() => {
      const frame = document.querySelector('iframe[data-zentrale-widget]');
      return frame !== null && frame.getBoundingClientRect().height > 300;
    }, undefined, WAIT);
  });

  it("keeps the demo page's CSS out of the widget", async function () {
    await page.goto(`${server.baseUrl}/`);
    const frame = await openWidget(page);
    // demo.css styles every button orange with square corners and a serif font.
    const hostButton = await page.locator('button.cta').evaluate((el) => getComputedStyle(el).backgroundColor);
    const launcher = frame.getByTestId('widget-launcher');
    const style = await launcher.evaluate((el) => {
      const css = getComputedStyle(el);
      return { background: css.backgroundColor, radius: css.borderTopLeftRadius, font: css.fontFamily };
    });
    assert.notEqual(style.background, hostButton);
    assert.notEqual(style.radius, '0px');
    assert.doesNotMatch(style.font, /Georgia/);
  });

  it('shows departments, starts a chat, confirms the message and restores it after a reload', async function () {
    await page.goto(`${server.baseUrl}/`);
    const frame = await openWidget(page);

    // German UI for a German browser.
    await frame.getByText('Kundenservice').first().waitFor(WAIT);

    const department = frame.getByTestId('prechat-department');
    await department.waitFor(WAIT);
    // Departments come from /api/public/departments (seeded): wait for real options.
    await frame.locator('[data-testid="prechat-department"] option:not([value=""])').first().waitFor({ state: 'attached', ...WAIT });
    const options = await department.locator('option:not([value=""])').allTextContents();
    assert.ok(options.length > 0, 'departments are listed');

    // Client-side validation speaks German and blocks the submit.
    await frame.getByTestId('prechat-submit').click();
    await frame.getByText('Bitte geben Sie Ihren Namen ein.').waitFor(WAIT);

    // Prefer a department that is open right now (closed ones are labelled "(geschlossen)").
    const open = department.locator('option:not([value=""])').filter({ hasNotText: 'geschlossen' });
    const choice = (await open.count()) > 0 ? open.first() : department.locator('option:not([value=""])').first();
    const value = await choice.getAttribute('value');
    assert.ok(value);
    await frame.getByTestId('prechat-name').fill('Erika Mustermann');
    await frame.getByTestId('prechat-email').fill('erika@example.com');
    await department.selectOption(value);
    const text = `Mein Zähler zeigt <b>nichts</b> an (${Date.now()})`;
    await frame.getByTestId('prechat-message').fill(text);
    await frame.getByTestId('prechat-submit').click();

    const list = frame.getByTestId('message-list');
    await list.waitFor(WAIT);
    const first = list.locator('[data-testid="message"][data-sender="visitor"]').filter({ hasText: text });
    await first.waitFor(WAIT);
    assert.equal(await first.getAttribute('data-status'), 'delivered');
    // Rendered as text, never as HTML.
    assert.equal(await first.locator('b').count(), 0);

    // A follow-up from the composer: Enter sends, and the ack marks it delivered.
    const followUp = `Zweite Nachricht ${Date.now()}`;
    await frame.getByTestId('composer-input').fill(followUp);
    await frame.getByTestId('composer-input').press('Enter');
    const second = list.locator('[data-testid="message"][data-status="delivered"]').filter({ hasText: followUp });
    await second.waitFor(WAIT);
    assert.equal(await list.locator('[data-status="pending"], [data-status="failed"]').count(), 0);

    // Reload: the token in localStorage resumes the conversation with its history.
    await page.reload();
    const again = await openWidget(page);
    const restored = again.getByTestId('message-list');
    await restored.locator('[data-testid="message"]').filter({ hasText: followUp }).waitFor(WAIT);
    const bodies = await restored.locator('[data-testid="message"][data-sender="visitor"] .body').allTextContents();
    assert.deepEqual(
      bodies.filter((body) => body === text || body === followUp),
      [text, followUp],
      'history in order, without duplicates',
    );
  });

  it('switches between German and English', async function () {
    await page.goto(`${server.baseUrl}/`);
    const frame = await openWidget(page);
    await frame.getByTestId('language-en').click();
    await frame.getByText('Customer service').first().waitFor(WAIT);
    await frame.getByTestId('language-de').click();
    await frame.getByText('Kundenservice').first().waitFor(WAIT);
  });

  it('reconnects after the server drops the connection and keeps the history without duplicates', async function () {
    await page.goto(`${server.baseUrl}/`);
    const frame = await openWidget(page);
    const department = frame.getByTestId('prechat-department');
    await frame.locator('[data-testid="prechat-department"] option:not([value=""])').first().waitFor({ state: 'attached', ...WAIT });
    const value = await department.locator('option:not([value=""])').first().getAttribute('value');
    await frame.getByTestId('prechat-name').fill('Max Mustermann');
    await department.selectOption(value ?? '');
    await frame.getByTestId('prechat-message').fill('Erste Nachricht');
    await frame.getByTestId('prechat-submit').click();
    const list = frame.getByTestId('message-list');
    await list.locator('[data-status="delivered"]').filter({ hasText: 'Erste Nachricht' }).waitFor(WAIT);

    // The server ends every visitor connection (as on a restart); the widget comes back by itself.
    server.zentrale.io.of('/visitor').disconnectSockets(true);
    await frame.locator('[data-testid="connection-state"][data-state="online"]').waitFor({ state: 'attached', ...WAIT });

    await frame.getByTestId('composer-input').fill('Nach dem Neuverbinden');
    await frame.getByTestId('composer-send').click();
    await list.locator('[data-status="delivered"]').filter({ hasText: 'Nach dem Neuverbinden' }).waitFor(WAIT);
    const bodies = await list.locator('[data-testid="message"][data-sender="visitor"] .body').allTextContents();
    assert.deepEqual(bodies, ['Erste Nachricht', 'Nach dem Neuverbinden']);
  });
});
