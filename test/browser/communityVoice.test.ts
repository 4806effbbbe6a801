/// <reference lib="dom" />
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.js';
import { eventually, sleep } from '../support/chatFixtures.js';
import { startTestServer, type TestServer, type TestUser } from '../support/server.js';
import { requireVoice } from '../support/voice.js';

const WAIT = { timeout: 20_000 };

/** Test-only: keeps every RTCPeerConnection a page makes, so the test can read inbound RTP (as in voice.test.ts). */
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

/** Test-only: a browser where the person blocked the microphone. */
const BLOCK_MICROPHONE = `navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));`;

/** Inbound audio packets per incoming stream (by SSRC) over the page's open peer connections. */
function inbound(page: Page): Promise<Record<string, number>> {
  return page.evaluate(async () => {
    const pcs = ((window as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? []).filter((pc) => pc.connectionState !== 'closed');
    const packets: Record<string, number> = {};
    for (const pc of pcs) {
      const report = await pc.getStats();
      report.forEach((stat: { type: string; kind?: string; ssrc?: number; packetsReceived?: number }) => {
        if (stat.type === 'inbound-rtp' && stat.kind === 'audio') packets[String(stat.ssrc)] = stat.packetsReceived ?? 0;
      });
    }
    return packets;
  });
}

const total = (packets: Record<string, number>, only?: string[]): number =>
  Object.entries(packets).reduce((sum, [ssrc, count]) => sum + (only && !only.includes(ssrc) ? 0 : count), 0);

/** Audio arrives (from the given streams, or any): packets keep growing. */
async function flowing(page: Page, what: string, only?: string[]): Promise<void> {
  const start = total(await inbound(page), only);
  await eventually(async () => total(await inbound(page), only) >= start + 25, 15_000, `${what}: inbound audio to grow`);
}

/** No audio arrives from the given streams: their counters stand still for ~1.5 s. */
async function silent(page: Page, what: string, only: string[]): Promise<void> {
  await eventually(
    async () => {
      const before = total(await inbound(page), only);
      await sleep(1_500);
      return total(await inbound(page), only) === before;
    },
    12_000,
    `${what}: inbound audio to stop`,
  );
}

/**
 * The community rooms' open voice room in real Chromium with fake microphones: two visitors on
 * the community page and an agent in the console talk; the agent silences a visitor (who cannot
 * undo it), closes the voice room (everyone is out, the SFU is empty) and opens it again; a
 * visitor muted in the community only listens, and so does one whose browser blocks the microphone.
 */
describe('browser: community voice room (community page ↔ console, mediasoup)', function () {
  this.timeout(120_000);
  let server: TestServer;
  let browser: Browser;
  let agentUser: TestUser;
  const contexts: BrowserContext[] = [];

  before(async function () {
    server = await startTestServer();
    requireVoice(this, server);
    await server.zentrale.community.models.Room.create({ slug: 'plausch', name: 'Plausch', position: 1, createdAt: new Date() });
    agentUser = await server.createUser({ name: 'Tom Becker' });
    browser = await launchBrowser(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream']);
  });
  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  async function newPage(locale: string, script?: string): Promise<Page> {
    const context = await browser.newContext({ locale });
    contexts.push(context);
    await context.addInitScript(TRACK_PEER_CONNECTIONS);
    if (script) await context.addInitScript(script);
    return context.newPage();
  }

  async function visitor(locale: string, name: string, script?: string): Promise<Page> {
    const page = await newPage(locale, script);
    await page.goto(`${server.baseUrl}/community/`);
    await page.locator('[data-testid="community-room"][data-room-slug="plausch"]').click();
    await page.getByTestId('community-room-view').waitFor(WAIT);
    await page.getByTestId('community-name').fill(name);
    await page.getByTestId('community-name-save').click();
    await page.getByTestId('community-posting-as').filter({ hasText: name }).waitFor(WAIT);
    return page;
  }

  const bar = (page: Page, phase: string) => page.locator(`[data-testid="community-voice"][data-phase="${phase}"]`);
  const peer = (page: Page, name: string) => page.locator(`[data-testid="community-voice-peer"][data-name="${name}"]`);

  it('visitors and an agent talk; the agent silences one, closes the voice room and opens it; a muted visitor only listens, so does one without a microphone', async () => {
    const anton = await visitor('de-DE', 'Anton');
    const berta = await visitor('en-GB', 'Berta');
    await anton.getByTestId('community-voice-join').filter({ hasText: 'Sprachraum betreten' }).waitFor(WAIT);

    // Anton joins, then Berta: Berta hears Anton (the only stream she receives so far).
    await anton.getByTestId('community-voice-join').click();
    await bar(anton, 'connected').waitFor(WAIT);
    await berta.getByTestId('community-voice-join').filter({ hasText: 'Join voice' }).click();
    await bar(berta, 'connected').waitFor(WAIT);
    await peer(berta, 'Anton').waitFor(WAIT);
    await peer(anton, 'Berta').waitFor(WAIT);
    await flowing(berta, 'Berta hears Anton');
    const fromAnton = Object.keys(await inbound(berta));
    assert.equal(fromAnton.length, 1, 'one stream: Anton');

    // The agent in the console joins the same voice room.
    const agent = await newPage('de-DE');
    await agent.goto(`${server.baseUrl}/console/`);
    await agent.getByTestId('login-email').fill(agentUser.email);
    await agent.getByTestId('login-password').fill(agentUser.password);
    await agent.getByTestId('login-submit').click();
    await agent.getByTestId('console-shell').waitFor(WAIT);
    await agent.getByTestId('nav-community').click();
    await agent.locator('[data-testid="community-room"][data-room-slug="plausch"]').click();
    await agent.getByTestId('community-voice-join').click();
    await bar(agent, 'connected').waitFor(WAIT);
    await peer(berta, 'Tom Becker').getByTestId('community-voice-staff-badge').waitFor(WAIT);
    await Promise.all([flowing(agent, 'the agent hears the visitors'), flowing(berta, 'Berta hears Anton and the agent')]);
    assert.deepEqual(server.zentrale.voice.service.stats().peers, 3);

    // The agent silences Anton: nobody hears him, he is told, and cannot unmute himself.
    await peer(agent, 'Anton').getByTestId('community-voice-silence').click();
    await anton.getByTestId('community-voice-silenced').waitFor(WAIT);
    await anton.locator('[data-testid="community-voice"][data-silenced="true"]').waitFor(WAIT);
    assert.equal(await anton.getByTestId('community-voice-mute').isDisabled(), true, 'Anton cannot unmute himself');
    await berta.locator('[data-testid="community-voice-peer"][data-name="Anton"][data-muted="true"]').waitFor(WAIT);
    await peer(agent, 'Anton').and(agent.locator('[data-silenced="true"]')).waitFor(WAIT);
    await silent(berta, 'Berta no longer hears Anton', fromAnton);
    await flowing(berta, 'Berta still hears the agent');

    // Let him speak again: his audio comes back.
    await peer(agent, 'Anton').getByTestId('community-voice-silence').filter({ hasText: 'Sprechen lassen' }).click();
    await anton.locator('[data-testid="community-voice"][data-silenced="false"]').waitFor(WAIT);
    await flowing(berta, 'Berta hears Anton again', fromAnton);

    // The agent closes the voice room: everyone is out, told, and the SFU is empty.
    await agent.getByTestId('community-voice-switch').click();
    for (const page of [anton, berta, agent]) {
      await page.getByTestId('community-voice-closed').waitFor(WAIT);
      await page.locator('[data-testid="community-voice"][data-open="false"]:not([data-phase="connected"])').waitFor(WAIT);
    }
    await berta.getByTestId('community-voice-closed').filter({ hasText: 'The team has closed the voice room' }).waitFor(WAIT);
    assert.equal(await anton.getByTestId('community-voice-join').count(), 0, 'no join while closed');
    await eventually(() => server.zentrale.voice.service.stats().rooms === 0, 10_000, 'the voice room to close');
    assert.deepEqual(server.zentrale.voice.service.stats(), { rooms: 0, peers: 0, transports: 0, producers: 0, consumers: 0 });

    // Opened again: the visitors may join, and do.
    await agent.locator('[data-testid="community-voice-switch"][data-open="false"]').click();
    await anton.getByTestId('community-voice-join').waitFor(WAIT);
    await anton.getByTestId('community-voice-join').click();
    await bar(anton, 'connected').waitFor(WAIT);
    await berta.getByTestId('community-voice-join').click();
    await bar(berta, 'connected').waitFor(WAIT);
    await flowing(berta, 'Berta hears Anton after reopening');

    // Carl is muted in the community: his microphone is refused by the server, he listens only.
    const carl = await visitor('de-DE', 'Carl');
    const { Profile, Sanction } = server.zentrale.community.models;
    const profile = await Profile.findOne({ where: { displayName: 'Carl' } });
    assert.ok(profile, "Carl's profile");
    await Sanction.create({ visitorId: profile.visitorId, ipHash: null, kind: 'mute', until: new Date(Date.now() + 3_600_000), reason: null, createdBy: agentUser.id, createdAt: new Date() });
    await carl.getByTestId('community-voice-join').click();
    await bar(carl, 'connected').waitFor(WAIT);
    await carl.locator('[data-testid="community-voice-listen-only"][data-reason="muted"]').filter({ hasText: 'stummgeschaltet' }).waitFor(WAIT);
    assert.equal(await carl.getByTestId('community-voice-mute').count(), 0, 'nothing to unmute');
    await flowing(carl, 'Carl hears the others');
    const stats = server.zentrale.voice.service.stats();
    assert.equal(stats.peers, 3);
    assert.equal(stats.producers, 2, 'Carl produces nothing');
    await peer(anton, 'Carl').waitFor(WAIT);

    // Dora's browser blocks the microphone: she is told how to allow it, and may listen only.
    const dora = await visitor('en-GB', 'Dora', BLOCK_MICROPHONE);
    await dora.getByTestId('community-voice-join').click();
    await dora.locator('[data-testid="community-voice-mic-problem"][data-problem="denied"]').filter({ hasText: 'allow the microphone' }).waitFor(WAIT);
    await dora.getByTestId('community-voice-listen').click();
    await bar(dora, 'connected').waitFor(WAIT);
    await dora.locator('[data-testid="community-voice-listen-only"][data-reason="chosen"]').waitFor(WAIT);
    await flowing(dora, 'Dora hears the others');
    assert.equal(server.zentrale.voice.service.stats().producers, 2, 'Dora produces nothing');

    // Leaving: the voice room empties as people go.
    for (const page of [anton, berta, carl, dora]) await page.getByTestId('community-voice-leave').click();
    await eventually(() => server.zentrale.voice.service.stats().peers === 0, 10_000, 'everyone to leave');
  });
});
