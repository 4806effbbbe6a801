/// <reference lib="dom" />
import assert from 'node:assert/strict';
import type { Browser, Locator, Page } from 'playwright-core';
import { makeDepartment } from '../support/chatFixtures.js';
import { launchBrowser } from '../support/browser.js';
import { startTestServer, type TestServer, type TestUser } from '../support/server.js';

const WAIT = { timeout: 15_000 };

/**
 * The community in real browsers: two visitors on the community page (one German, one English)
 * and an agent in the console, against a real server. Each step is seen live on the other pages.
 */
describe('browser: the community (customers help customers)', function () {
  this.timeout(180_000);
  let server: TestServer;
  let browser: Browser;
  let agentUser: TestUser;

  before(async () => {
    // More posts per minute than the default: three people post quickly here.
    server = await startTestServer({ env: { COMMUNITY_POSTS_PER_MINUTE: '30' } });
    const { Room } = server.zentrale.community.models;
    await Room.create({ slug: 'router', name: 'Router & WLAN', description: 'Internet at home', position: 1, createdAt: new Date() });
    await Room.create({ slug: 'rechnung', name: 'Rechnung', position: 2, createdAt: new Date() });
    await makeDepartment(server);
    agentUser = await server.createUser({ name: 'Tom Becker' });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function visitor(locale: string, name: string): Promise<Page> {
    const page = await (await browser.newContext({ locale })).newPage();
    await page.goto(`${server.baseUrl}/community/`);
    await page.locator('[data-testid="community-room"][data-room-slug="router"]').click();
    await page.getByTestId('community-room-view').waitFor(WAIT);
    await page.getByTestId('community-name').fill(name);
    await page.getByTestId('community-name-save').click();
    await page.getByTestId('community-posting-as').filter({ hasText: name }).waitFor(WAIT);
    return page;
  }

  async function post(page: Page, text: string, where: Locator = page.getByTestId('community-composer')): Promise<void> {
    await where.getByTestId('community-input').fill(text);
    await where.getByTestId('community-send').click();
  }

  /** A top-level message in the room's list (not its copy among the pinned ones). */
  const inList = (page: Page, text: string): Locator =>
    page.locator('[data-testid="community-messages"] [data-testid="community-message"]').filter({ hasText: text });
  const inThread = (page: Page, text: string): Locator =>
    page.locator('[data-testid="community-replies"] [data-testid="community-message"]').filter({ hasText: text });

  it('live messages, threads, pinning, accepted answers, reports, deletion and muting', async () => {
    // A display name is checked before it is sent: reserved words are refused with a reason.
    const anja = await (await browser.newContext({ locale: 'de-DE' })).newPage();
    await anja.goto(`${server.baseUrl}/community/`);
    await anja.locator('[data-testid="community-room"][data-room-slug="router"]').click();
    await anja.getByTestId('community-name').fill('Support Team');
    await anja.getByTestId('community-name-save').click();
    await anja.getByTestId('community-name-error').filter({ hasText: 'Dieser Name ist unserem Team vorbehalten.' }).waitFor(WAIT);
    await anja.getByTestId('community-name').fill('Anja');
    await anja.getByTestId('community-name-save').click();
    await anja.getByTestId('community-posting-as').filter({ hasText: 'Sie schreiben als Anja.' }).waitFor(WAIT);

    const ben = await visitor('en-GB', 'Ben');
    await anja.getByTestId('community-present').filter({ hasText: '2 gerade hier' }).waitFor(WAIT);
    await ben.getByTestId('community-present').filter({ hasText: '2 here now' }).waitFor(WAIT);

    // Both see each other's messages live; markup in a message is text, never HTML.
    const question = 'Mein Router blinkt rot. <b>Hilfe</b>?';
    await post(anja, question);
    await inList(ben, question).waitFor(WAIT);
    assert.equal(await inList(ben, question).getByTestId('community-body').textContent(), question);
    assert.equal(await inList(ben, question).locator('b').count(), 0, 'no <b> element was made');
    await post(ben, 'Which model is it?');
    await inList(anja, 'Which model is it?').waitFor(WAIT);

    // A thread: Anja has it open, Ben replies, Anja sees the reply arrive.
    await inList(anja, question).getByTestId('community-open-thread').click();
    await anja.getByTestId('community-thread').waitFor(WAIT);
    await inList(ben, question).getByTestId('community-open-thread').click();
    await post(ben, 'Restart it, that usually helps.', ben.getByTestId('community-reply-composer'));
    await inThread(anja, 'Restart it, that usually helps.').waitFor(WAIT);
    await inList(anja, question).getByTestId('community-open-thread').filter({ hasText: '1 Antwort' }).waitFor(WAIT);

    // The agent in the console: the same room, with moderation.
    const agent = await (await browser.newContext({ locale: 'de-DE' })).newPage();
    await agent.goto(`${server.baseUrl}/console/`);
    await agent.getByTestId('login-email').fill(agentUser.email);
    await agent.getByTestId('login-password').fill(agentUser.password);
    await agent.getByTestId('login-submit').click();
    await agent.getByTestId('console-shell').waitFor(WAIT);
    await agent.getByTestId('nav-community').click();
    await agent.locator('[data-testid="community-room"][data-room-slug="router"]').click();
    await inList(agent, question).waitFor(WAIT);

    // Staff post with the team badge and no display name of their own choosing.
    await post(agent, 'Guten Tag, wir schauen mit.');
    await inList(anja, 'Guten Tag, wir schauen mit.').getByTestId('community-staff-badge').waitFor(WAIT);
    assert.equal(await inList(anja, 'Guten Tag, wir schauen mit.').getByTestId('community-author').textContent(), 'Tom Becker');

    // Pin: the question shows on top for both visitors.
    await inList(agent, question).getByTestId('community-pin').click();
    for (const page of [anja, ben]) {
      await page.getByTestId('community-pinned').getByTestId('community-message').filter({ hasText: question }).waitFor(WAIT);
    }

    // The accepted answer: marked in the thread for both visitors (both have it open).
    await inList(agent, question).getByTestId('community-open-thread').click();
    await inThread(agent, 'Restart it').getByTestId('community-accept').click();
    for (const page of [anja, ben]) {
      await page.locator('[data-testid="community-replies"] [data-testid="community-message"][data-accepted="true"]').filter({ hasText: 'Restart it' }).waitFor(WAIT);
    }
    await inThread(anja, 'Restart it').getByTestId('community-accepted-badge').filter({ hasText: 'Akzeptierte Antwort' }).waitFor(WAIT);
    await inThread(ben, 'Restart it').getByTestId('community-accepted-badge').filter({ hasText: 'Accepted answer' }).waitFor(WAIT);

    // Ben reports Anja's spam; the agent sees it in the reports queue, live, and deletes it.
    const spam = 'Billige Router gibt es bei www.example.com';
    await post(anja, spam);
    await inList(ben, spam).getByTestId('community-report').click();
    await ben.getByTestId('community-report-reason').fill('Spam');
    await ben.getByTestId('community-report-submit').click();
    await ben.getByTestId('community-report-done').waitFor(WAIT);
    await agent.getByTestId('community-reports-count').filter({ hasText: '1' }).waitFor(WAIT);
    await agent.getByTestId('community-tab-reports').click();
    const entry = agent.getByTestId('community-report-entry').filter({ hasText: spam });
    await entry.filter({ hasText: 'Grund: Spam' }).waitFor(WAIT);
    await entry.getByTestId('community-report-delete').click();
    await agent.getByTestId('community-reports').filter({ hasText: 'Keine offenen Meldungen.' }).waitFor(WAIT);
    for (const page of [anja, ben]) {
      await page.locator('[data-testid="community-messages"] [data-testid="community-message"][data-deleted="true"]').waitFor(WAIT);
      assert.equal(await inList(page, spam).count(), 0, 'the deleted text is gone');
    }
    await anja.locator('[data-deleted="true"]').filter({ hasText: 'Diese Nachricht wurde entfernt.' }).first().waitFor(WAIT);

    // The agent mutes Anja for an hour: her next post is refused with the notice, Ben still posts.
    await agent.getByTestId('community-tab-room').click();
    await inList(agent, question).getByTestId('community-sanction').click();
    await agent.getByTestId('community-sanction-minutes').selectOption('60');
    await agent.getByTestId('community-sanction-reason').fill('Werbung');
    await agent.getByTestId('community-sanction-apply').click();
    await agent.getByTestId('community-sanction-applied').waitFor(WAIT);
    await anja.locator('[data-testid="community-notice"][data-kind="mute"]').filter({ hasText: 'Grund: Werbung' }).waitFor(WAIT);

    await post(anja, 'Darf ich noch etwas fragen?');
    const refused = anja.getByTestId('community-composer').getByTestId('community-composer-error');
    await refused.filter({ hasText: /Sie sind bis .+ stummgeschaltet/ }).waitFor(WAIT);
    assert.equal(await refused.getAttribute('data-reason'), 'muted');
    assert.equal(await inList(ben, 'Darf ich noch etwas fragen?').count(), 0);

    await post(ben, 'I can still post.');
    await inList(anja, 'I can still post.').waitFor(WAIT);
    await inList(agent, 'I can still post.').waitFor(WAIT);

    // Lifting the mute: Anja is told and may post again.
    await agent.getByTestId('community-tab-sanctions').click();
    await agent.getByTestId('community-sanction-entry').getByTestId('community-sanction-lift').click();
    await agent.getByTestId('community-sanctions').filter({ hasText: 'Niemand ist stummgeschaltet oder gesperrt.' }).waitFor(WAIT);
    await anja.locator('[data-testid="community-notice"][data-kind="lifted"]').waitFor(WAIT);
    await post(anja, 'Danke, alles wieder gut.');
    await inList(ben, 'Danke, alles wieder gut.').waitFor(WAIT);

    for (const page of [anja, ben, agent]) await page.context().close();
  });

  it('reconnecting rejoins the room and fetches what was said meanwhile', async () => {
    const carla = await visitor('de-DE', 'Carla');
    const dirk = await visitor('de-DE', 'Dirk');
    await carla.context().setOffline(true);
    // Playwright's offline mode does not end open WebSockets: drop the socket by hand.
    await carla.evaluate(() => window.dispatchEvent(new Event('offline')));
    await carla.getByTestId('community-connection').waitFor(WAIT);
    await post(dirk, 'Während Carla weg war');
    await carla.context().setOffline(false);
    await inList(carla, 'Während Carla weg war').waitFor(WAIT);
    for (const page of [carla, dirk]) await page.context().close();
  });

  it('a visitor takes a thread to the team; the widget links to the community', async () => {
    const emil = await visitor('de-DE', 'Emil');
    await post(emil, 'Wie kündige ich meinen Vertrag?');
    await inList(emil, 'Wie kündige ich').getByTestId('community-open-thread').click();
    await emil.getByTestId('community-ask-open').click();
    await emil.getByTestId('community-ask-text').fill('Bitte privat, es geht um meine Kundennummer.');
    await emil.getByTestId('community-ask-submit').click();
    // Nobody is online in this test: the question becomes a request with a number.
    // A department is open in this test: the private chat is opened (queued for an agent).
    await emil.getByTestId('community-ask-result').filter({ hasText: 'Ihr privater Chat ist eröffnet.' }).waitFor(WAIT);
    assert.equal(await emil.getByTestId('community-ask-result').locator('a').getAttribute('href'), '/');

    // The link the agent gets for the thread opens its room and the thread.
    const threadId = await inList(emil, 'Wie kündige ich').getAttribute('data-message-id');
    const linked = await emil.context().newPage();
    await linked.goto(`${server.baseUrl}/community/#/thread/${threadId}`);
    await linked.getByTestId('community-thread').getByTestId('community-message').filter({ hasText: 'Wie kündige ich' }).waitFor(WAIT);
    await linked.close();

    // Same visitor token as the community page: the widget on the site resumes that chat.
    await emil.goto(`${server.baseUrl}/`);
    const widget = emil.frameLocator('iframe[data-zentrale-widget]');
    await widget.getByTestId('widget-launcher').click();
    await widget.locator('[data-testid="message"]').filter({ hasText: 'Wie kündige ich meinen Vertrag?' }).first().waitFor(WAIT);

    // A new visitor's pre-chat form (loaded on demand) offers the community in a new tab.
    const fresh = await (await browser.newContext({ locale: 'de-DE' })).newPage();
    await fresh.goto(`${server.baseUrl}/`);
    const freshWidget = fresh.frameLocator('iframe[data-zentrale-widget]');
    await freshWidget.getByTestId('widget-launcher').click();
    const link = freshWidget.getByTestId('widget-community-link');
    await link.filter({ hasText: 'Die Community fragen' }).waitFor(WAIT);
    assert.equal(await link.getAttribute('href'), '/community/');
    assert.equal(await link.getAttribute('target'), '_blank');
    await fresh.context().close();
    await emil.context().close();
  });

  // Last: a ban also holds for the visitor's address, which every page here shares.
  it('a banned visitor is told so, and is refused at the door afterwards', async () => {
    const fritz = await visitor('de-DE', 'Fritz');
    await post(fritz, 'Das ist alles Mist hier!');
    const agent = await (await browser.newContext({ locale: 'en-GB' })).newPage();
    await agent.goto(`${server.baseUrl}/console/`);
    await agent.getByTestId('login-email').fill(agentUser.email);
    await agent.getByTestId('login-password').fill(agentUser.password);
    await agent.getByTestId('login-submit').click();
    await agent.getByTestId('nav-community').click();
    await agent.locator('[data-testid="community-room"][data-room-slug="router"]').click();
    await inList(agent, 'Das ist alles Mist').getByTestId('community-sanction').click();
    await agent.getByTestId('community-sanction-ban').check();
    await agent.getByTestId('community-sanction-minutes').selectOption('1440');
    await agent.getByTestId('community-sanction-apply').click();
    await agent.getByTestId('community-sanction-applied').filter({ hasText: /Banned|Gesperrt/ }).waitFor(WAIT);

    await fritz.locator('[data-testid="community-notice"][data-kind="ban"]').filter({ hasText: /Sie sind bis .+ aus der Community ausgeschlossen/ }).waitFor(WAIT);
    await fritz.getByTestId('community-room-view').waitFor({ state: 'detached', ...WAIT });
    await fritz.reload();
    await fritz.locator('[data-testid="community-notice"][data-kind="ban"]').filter({ hasText: /Sie sind bis .+ aus der Community ausgeschlossen/ }).waitFor(WAIT);
    for (const page of [fritz, agent]) await page.context().close();
  });
});
