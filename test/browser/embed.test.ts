/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../support/browser.js';
import { withoutOfflineFallback } from '../support/chatFixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';

const WAIT = { timeout: 15_000 };

/** A customer's own website on another origin, embedding the widget with the one script tag. */
async function startCustomerSite(widgetOrigin: () => string): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><html lang="de"><head><title>Kunde</title>
<style>* { font-family: "Comic Sans MS" !important; color: red !important; } iframe { border: 5px solid red; }</style></head>
<body><h1>Muster Shop</h1><script src="${widgetOrigin()}/widget.js" async></script></body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // "localhost" vs the widget's "127.0.0.1": a different origin, as a customer's site would be.
  const origin = `http://localhost:${(server.address() as AddressInfo).port}`;
  return { origin, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('browser: the widget embedded on a customer site of another origin', function () {
  this.timeout(60_000);
  let browser: Browser;
  let allowedSite: Awaited<ReturnType<typeof startCustomerSite>>;
  let foreignSite: Awaited<ReturnType<typeof startCustomerSite>>;
  let server: TestServer;

  before(async () => {
    browser = await launchBrowser();
    // Sites first (the server must know the allowed origin), told the widget's origin afterwards.
    allowedSite = await startCustomerSite(() => server.baseUrl);
    foreignSite = await startCustomerSite(() => server.baseUrl);
    server = await startTestServer({ env: { ALLOWED_ORIGINS: allowedSite.origin } });
    await server.seedDemo();
    // The chat waits in the queue although nobody is signed in.
    await withoutOfflineFallback(server);
  });
  after(async () => {
    await browser?.close();
    await Promise.all([allowedSite?.close(), foreignSite?.close(), server?.close()]);
  });

  it('works on an allowed site: loader, iframe, chat — untouched by the site CSS', async () => {
    const page = await browser.newPage({ locale: 'de-DE' });
    await page.goto(`${allowedSite.origin}/`);
    const frame = page.frameLocator('iframe[data-zentrale-widget]');
    const launcher = frame.getByTestId('widget-launcher');
    await launcher.waitFor(WAIT);
    const color = await launcher.evaluate((el) => getComputedStyle(el).color);
    assert.notEqual(color, 'rgb(255, 0, 0)');
    await launcher.click();
    await frame.locator('[data-testid="prechat-department"] option:not([value=""])').first().waitFor({ state: 'attached', ...WAIT });
    await frame.getByTestId('prechat-department').selectOption({ label: 'Technik/Support' });
    await frame.getByTestId('prechat-name').fill('Kunde');
    await frame.getByTestId('prechat-message').fill('Hallo vom Shop');
    await frame.getByTestId('prechat-submit').click();
    await frame.locator('[data-testid="message"][data-status="delivered"]').filter({ hasText: 'Hallo vom Shop' }).waitFor(WAIT);
    await page.close();
  });

  it('is refused on a site that is not allowed (frame-ancestors)', async () => {
    const page = await browser.newPage();
    const blocked = new Promise<boolean>((resolve) => {
      page.on('console', (m) => {
        if (/frame-ancestors|Refused to frame/i.test(m.text())) resolve(true);
      });
      setTimeout(() => resolve(false), 8000);
    });
    await page.goto(`${foreignSite.origin}/`);
    await page.locator('iframe[data-zentrale-widget]').waitFor({ state: 'attached', ...WAIT });
    assert.equal(await blocked, true, 'Chromium reports the framing as refused');
    const launcherShown = await page
      .frameLocator('iframe[data-zentrale-widget]')
      .getByTestId('widget-launcher')
      .waitFor({ timeout: 2000 })
      .then(() => true, () => false);
    assert.equal(launcherShown, false);
    await page.close();
  });
});
