/// <reference lib="dom" />
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.js';
import { eventually, makeDepartment, sleep } from '../support/chatFixtures.js';
import { startTestServer, type TestServer, type TestUser } from '../support/server.js';
import { requireVoice } from '../support/voice.js';

const WAIT = { timeout: 20_000 };

/**
 * Test-only: keeps every RTCPeerConnection a page (or its widget iframe) makes, so the test can
 * read inbound RTP with getStats. The product has no hooks for this.
 */
const TRACK_PEER_CONNECTIONS = `(() => {
  const Native = window.RTCPeerConnection;
  if (!Native || window.__pcs) return;
  window.__pcs = [];
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      window.__pcs.push(this);
    }
  };
})();`;

interface Inbound {
  packets: number;
  bytes: number;
}

/** Sum of inbound audio RTP over the open peer connections of a page or frame. */
function inbound(target: Page | Frame): Promise<Inbound> {
  return target.evaluate(async () => {
    const pcs = ((window as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? []).filter((pc) => pc.connectionState !== 'closed');
    let packets = 0;
    let bytes = 0;
    for (const pc of pcs) {
      const report = await pc.getStats();
      report.forEach((stat: { type: string; kind?: string; packetsReceived?: number; bytesReceived?: number }) => {
        if (stat.type === 'inbound-rtp' && stat.kind === 'audio') {
          packets += stat.packetsReceived ?? 0;
          bytes += stat.bytesReceived ?? 0;
        }
      });
    }
    return { packets, bytes };
  });
}

/** Audio arrives: packets and bytes keep growing. */
async function flowing(target: Page | Frame, what: string): Promise<void> {
  const start = await inbound(target);
  await eventually(
    async () => {
      const now = await inbound(target);
      return now.packets >= start.packets + 25 && now.bytes > start.bytes;
    },
    15_000,
    `${what}: inbound audio to grow`,
  );
}

/** No audio arrives: the counters stand still for ~1.5 s (after whatever was in flight). */
async function silent(target: Page | Frame, what: string): Promise<void> {
  await eventually(
    async () => {
      const before = await inbound(target);
      await sleep(1_500);
      const after = await inbound(target);
      return after.packets === before.packets;
    },
    12_000,
    `${what}: inbound audio to stop`,
  );
}

async function signIn(page: Page, baseUrl: string, user: TestUser): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.getByTestId('login-email').fill(user.email);
  await page.getByTestId('login-password').fill(user.password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('console-shell').waitFor(WAIT);
  await page.waitForFunction(() => !document.querySelector<HTMLSelectElement>('[data-testid="status-control"]')?.disabled, undefined, WAIT);
}

/**
 * Calls in real Chromium with fake microphones: the visitor asks for a call in the widget, agent
 * A takes it in the console, audio flows both ways, hold silences both, A hands the call to B,
 * and hanging up leaves nothing behind in the SFU.
 */
describe('browser: voice calls (widget ↔ console, mediasoup)', function () {
  this.timeout(120_000);
  let server: TestServer;
  let browser: Browser;
  let department: number;
  let anna: TestUser;
  let bernd: TestUser;
  const contexts: BrowserContext[] = [];

  before(async function () {
    server = await startTestServer();
    requireVoice(this, server);
    department = await makeDepartment(server, { wrapUpSeconds: 0 });
    anna = await server.createUser({ name: 'Anna Schmidt' });
    bernd = await server.createUser({ name: 'Bernd Weber' });
    for (const user of [anna, bernd]) {
      await server.zentrale.db.models.DepartmentMember.create({ userId: user.id, departmentId: department, level: 'L1', maxChats: 2 });
    }
    browser = await launchBrowser(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream']);
  });
  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ locale: 'de-DE' });
    contexts.push(context);
    await context.addInitScript(TRACK_PEER_CONNECTIONS);
    return context.newPage();
  }

  it('request → accept → audio both ways; hold and resume; warm transfer to B; hang-up frees the SFU', async () => {
    const a = await newPage();
    const b = await newPage();
    await signIn(a, server.baseUrl, anna);
    await signIn(b, server.baseUrl, bernd);
    await a.getByTestId('status-control').selectOption('available');

    // (a) The visitor asks for a call from the widget.
    const visitor = await newPage();
    await visitor.goto(`${server.baseUrl}/`);
    const widget = visitor.frameLocator('iframe[data-zentrale-widget]');
    await widget.getByTestId('widget-launcher').click();
    await widget.locator(`[data-testid="prechat-department"] option[value="${department}"]`).waitFor({ state: 'attached', ...WAIT });
    await widget.getByTestId('prechat-department').selectOption(String(department));
    await widget.getByTestId('prechat-mode-call').check();
    await widget.getByTestId('prechat-name').fill('Erika Mustermann');
    await widget.getByTestId('prechat-message').fill('Frage zur Rechnung');
    await widget.getByTestId('prechat-submit').click();

    const offer = a.getByTestId('offer-card');
    await offer.waitFor(WAIT);
    assert.match((await offer.locator('#offer-title').textContent()) ?? '', /^Anruf/, 'a call request looks like a call');
    await a.getByTestId('offer-accept').click();

    const widgetFrame = visitor.frames().find((frame) => frame.url().includes('/widget/'));
    assert.ok(widgetFrame, 'the widget frame');
    await widget.locator('[data-testid="call-panel"][data-phase="connected"]').waitFor(WAIT);
    await a.locator('[data-testid="call-panel"][data-phase="connected"]').waitFor(WAIT);
    await widget.getByTestId('call-timer').waitFor(WAIT);
    await Promise.all([flowing(widgetFrame, 'visitor'), flowing(a, 'agent A')]);

    // (b) Hold pauses the audio both ways; resume brings it back.
    await a.getByTestId('call-hold').click();
    await widget.getByTestId('call-held').waitFor(WAIT);
    await a.locator('[data-testid="call-panel"][data-held="true"]').waitFor(WAIT);
    await Promise.all([silent(widgetFrame, 'visitor on hold'), silent(a, 'agent A holding')]);
    await a.getByTestId('call-hold').click();
    await widget.getByTestId('call-held').waitFor({ state: 'detached', ...WAIT });
    await Promise.all([flowing(widgetFrame, 'visitor resumed'), flowing(a, 'agent A resumed')]);

    // (c) Warm transfer: A asks B, B takes over and is in the call at once; A is out of it.
    await b.getByTestId('status-control').selectOption('available');
    await a.getByTestId('call-transfer').click();
    const dialog = a.getByTestId('transfer-dialog');
    await dialog.waitFor(WAIT);
    const candidate = dialog.locator(`[data-testid="transfer-candidate"][data-agent-id="${bernd.id}"]`);
    await candidate.and(a.locator('[data-refusal=""]')).waitFor(WAIT);
    await candidate.click();
    await a.getByTestId('transfer-submit').click();
    await dialog.waitFor({ state: 'detached', ...WAIT });
    await a.getByTestId('call-consult').waitFor(WAIT);
    await b.getByTestId('transfer-card').waitFor(WAIT);
    await b.getByTestId('transfer-accept').click();

    await b.locator('[data-testid="call-panel"][data-phase="connected"]').waitFor(WAIT);
    await a.getByTestId('call-ended').filter({ hasText: 'Bernd Weber' }).waitFor(WAIT);
    assert.equal((await a.evaluate(() => (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.filter((pc) => pc.connectionState !== 'closed').length)), 0, 'A let go of the call');
    await Promise.all([flowing(b, 'agent B'), flowing(widgetFrame, 'visitor with B')]);
    const stats = server.zentrale.voice.service.stats();
    assert.equal(stats.peers, 2, 'the visitor and B are in the room');

    // (d) The visitor hangs up: the room, transports, producers and consumers are all gone.
    await widget.getByTestId('call-hangup').click();
    await widget.getByTestId('call-start').waitFor(WAIT);
    await eventually(() => server.zentrale.voice.service.stats().rooms === 0, 10_000, 'the room to close');
    assert.deepEqual(server.zentrale.voice.service.stats(), { rooms: 0, peers: 0, transports: 0, producers: 0, consumers: 0 });
    await b.getByTestId('call-start').waitFor(WAIT);
  });
});
