/// <reference lib="dom" />
// ^ page.evaluate / waitForFunction callbacks run in the browser.
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, FrameLocator, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.js';
import { withoutOfflineFallback } from '../support/chatFixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { recipients, startSmtp, type TestSmtp } from '../support/smtp.js';

const WAIT = { timeout: 15_000 };

/** The widget as a visitor sees it on the demo page: inside the loader's iframe. */
function widgetFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe[data-zentrale-widget]');
}

/** Fills the pre-chat form (first open department) and starts a chat; resolves when it is shown. */
async function startChat(frame: FrameLocator, input: { name: string; email?: string; text: string }): Promise<void> {
  const department = frame.getByTestId('prechat-department');
  await frame.locator('[data-testid="prechat-department"] option:not([value=""])').first().waitFor({ state: 'attached', ...WAIT });
  const open = department.locator('option:not([value=""])').filter({ hasNotText: 'geschlossen' });
  const value = await ((await open.count()) > 0 ? open.first() : department.locator('option:not([value=""])').first()).getAttribute('value');
  await frame.getByTestId('prechat-name').fill(input.name);
  if (input.email) await frame.getByTestId('prechat-email').fill(input.email);
  await department.selectOption(value ?? '');
  await frame.getByTestId('prechat-message').fill(input.text);
  await frame.getByTestId('prechat-submit').click();
  await frame.getByTestId('message-list').locator('[data-status="delivered"]').filter({ hasText: input.text }).waitFor(WAIT);
}

/** A minimal valid PNG (1×1), so the server's content check accepts it as an image. */
const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
  'base64',
);

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
  let smtp: TestSmtp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  before(async function () {
    // Mail is configured: the widget only says a transcript is coming when the server queued one.
    smtp = await startSmtp();
    server = await startTestServer({ env: { SMTP_URL: smtp.url } });
    await server.seedDemo();
    // Routing reads departments at start-up, before the seed: let it see the seeded ones.
    await server.zentrale.engine.loadDepartments();
    // Chats wait in the queue although nobody is signed in (the widget's live-chat screens are tested here).
    await withoutOfflineFallback(server);
    browser = await launchBrowser();
  });

  after(async function () {
    await browser?.close();
    await server?.close();
    await smtp?.close();
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

  it('sends customer number, ticket number, language and the host page from the pre-chat form', async function () {
    await page.goto(`${server.baseUrl}/?from=test#kontakt`);
    const frame = await openWidget(page);
    // The loader passes the host page's URL to the widget.
    const src = new URL((await page.locator('iframe[data-zentrale-widget]').getAttribute('src')) ?? '');
    assert.equal(src.searchParams.get('page'), `${server.baseUrl}/?from=test#kontakt`);

    // The conversation language defaults to the UI language; options are named in their own language.
    const language = frame.getByTestId('prechat-language');
    await language.waitFor(WAIT);
    assert.equal(await language.inputValue(), 'de');
    const department = frame.getByTestId('prechat-department');
    await frame.locator('[data-testid="prechat-department"] option:not([value=""])').first().waitFor({ state: 'attached', ...WAIT });
    await department.selectOption({ label: 'Technik/Support' });
    assert.deepEqual(await language.locator('option').allTextContents(), ['Deutsch', 'English']);
    await language.selectOption('en');

    // Too long a reference is caught before sending.
    await frame.getByTestId('prechat-name').fill('Erika Mustermann');
    await frame.getByTestId('prechat-customerNumber').fill('K'.repeat(41));
    const text = `Frage zu meinem Vertrag (${Date.now()})`;
    await frame.getByTestId('prechat-message').fill(text);
    await frame.getByTestId('prechat-submit').click();
    await frame.getByText('Bitte verwenden Sie höchstens 40 Zeichen.').waitFor(WAIT);

    await frame.getByTestId('prechat-customerNumber').fill('  K-100234 ');
    await frame.getByTestId('prechat-ticketNumber').fill('T-2024-0815');
    await frame.getByTestId('prechat-submit').click();
    await frame.getByTestId('message-list').locator('[data-status="delivered"]').filter({ hasText: text }).waitFor(WAIT);

    const stored = await server.zentrale.db.models.Conversation.findOne({ where: { ticketRef: 'T-2024-0815' } });
    assert.ok(stored, 'the conversation was stored with the ticket number');
    assert.equal(stored.customerNumber, 'K-100234');
    assert.equal(stored.language, 'en');
    assert.equal(stored.page, `${server.baseUrl}/?from=test#kontakt`);
  });

  it('shows the waiting position while no agent is online, calmly and honestly', async function () {
    await page.goto(`${server.baseUrl}/`);
    const frame = await openWidget(page);
    await startChat(frame, { name: 'Max Mustermann', text: `Wartet jemand? (${Date.now()})` });
    const queue = frame.getByTestId('queue-status');
    await queue.waitFor(WAIT);
    assert.equal(await queue.getAttribute('role'), 'status');
    // Nobody who could serve the chat is online: no made-up estimate.
    await frame.getByTestId('queue-text').filter({ hasText: 'Zurzeit ist niemand verfügbar. Bitte haben Sie etwas Geduld.' }).waitFor(WAIT);
    await frame.getByTestId('language-en').click();
    await frame.getByTestId('queue-text').filter({ hasText: 'Nobody is available right now.' }).waitFor(WAIT);
  });

  it('ends the chat after confirming, then offers the transcript and a new conversation', async function () {
    await page.goto(`${server.baseUrl}/`);
    const frame = await openWidget(page);
    await startChat(frame, { name: 'Erika Mustermann', email: 'erika@example.com', text: `Bitte beenden (${Date.now()})` });

    // The first click only asks; Escape cancels and returns focus to the button.
    await frame.getByTestId('widget-end').click();
    await frame.getByTestId('end-confirm-bar').waitFor(WAIT);
    await page.keyboard.press('Escape');
    await frame.getByTestId('end-confirm-bar').waitFor({ state: 'detached', ...WAIT });
    assert.equal(await frame.getByTestId('widget-end').evaluate((el) => el === document.activeElement), true);
    assert.equal(await frame.getByTestId('widget-panel').count(), 1, 'Escape closed the confirmation, not the panel');

    await frame.getByTestId('widget-end').click();
    await frame.getByTestId('end-confirm').click();
    const closed = frame.getByTestId('closed-view');
    await closed.waitFor(WAIT);
    await closed.getByText('Das Gespräch wurde beendet').waitFor(WAIT);
    assert.equal(await frame.getByTestId('composer-input').count(), 0, 'no composer once closed');
    assert.equal(await frame.getByTestId('widget-end').count(), 0);

    // The transcript goes to the e-mail from the pre-chat form.
    assert.equal(await frame.getByTestId('transcript-email').inputValue(), 'erika@example.com');
    await frame.getByTestId('transcript-submit').click();
    await frame.getByTestId('transcript-done').filter({ hasText: 'erika@example.com' }).waitFor(WAIT);
    await smtp.waitFor((m) => recipients(m).includes('erika@example.com') && /^Ihr Chatverlauf/.test(m.subject ?? ''));

    // A new conversation starts from the form, prefilled with what the visitor entered before.
    await frame.getByTestId('new-conversation').click();
    await frame.getByTestId('prechat-form').waitFor(WAIT);
    assert.equal(await frame.getByTestId('prechat-name').inputValue(), 'Erika Mustermann');
    assert.equal(await frame.getByTestId('prechat-name').evaluate((el) => el === document.activeElement), true);
  });

  it('uploads an image, shows it as a thumbnail, and explains a file type it cannot send', async function () {
    await page.goto(`${server.baseUrl}/`);
    const frame = await openWidget(page);
    await startChat(frame, { name: 'Erika Mustermann', text: `Ich schicke ein Foto (${Date.now()})` });

    await frame.getByTestId('composer-file').setInputFiles([
      { name: 'zähler.png', mimeType: 'image/png', buffer: PNG_1X1 },
      { name: 'notizen.txt', mimeType: 'text/plain', buffer: Buffer.from('hallo') },
    ]);
    const image = frame.locator('[data-testid="message"][data-sender="visitor"] [data-testid="attachment-image"]');
    await image.waitFor(WAIT);
    // Loaded with the token in a header, shown through a blob URL (never a token in a URL).
    assert.match((await image.getAttribute('href')) ?? '', /^blob:/);
    await frame.locator('[data-testid="attachment-image"] img').evaluate((img: HTMLImageElement) =>
      img.complete ? undefined : new Promise((resolve) => img.addEventListener('load', resolve, { once: true })),
    );
    assert.equal(await frame.locator('[data-testid="attachment-image"] img').evaluate((img: HTMLImageElement) => img.naturalWidth), 1);

    const error = frame.getByTestId('upload-error');
    await error.waitFor(WAIT);
    assert.match((await error.textContent()) ?? '', /Dieser Dateityp wird nicht unterstützt/);
    await frame.getByTestId('upload-discard').click();
    await error.waitFor({ state: 'detached', ...WAIT });
  });

  it('can be used with the keyboard alone: Enter sends, Escape closes and focus returns to the launcher', async function () {
    await page.goto(`${server.baseUrl}/`);
    const frame = widgetFrame(page);
    const launcher = frame.getByTestId('widget-launcher');
    await launcher.waitFor(WAIT);
    await launcher.focus();
    await page.keyboard.press('Enter');
    await frame.getByTestId('prechat-form').waitFor(WAIT);
    // The first field has focus.
    await page.waitForFunction(() => {
      const doc = document.querySelector<HTMLIFrameElement>('iframe[data-zentrale-widget]')?.contentDocument;
      return doc?.activeElement?.id === 'prechat-name';
    }, undefined, WAIT);
    await page.keyboard.press('Escape');
    await frame.getByTestId('widget-panel').waitFor({ state: 'detached', ...WAIT });
    assert.equal(await launcher.evaluate((el) => el === document.activeElement), true);
    assert.equal(await launcher.getAttribute('aria-expanded'), 'false');
  });
});
