/// <reference lib="dom" />
import assert from 'node:assert/strict';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.js';
import type { AgentConversation } from '../../shared/schemas/chat.js';
import { clientId, eventually, makeAgent, makeDepartment, makeVisitorChat } from '../support/chatFixtures.js';
import { ask, closeAllSockets, expectOk, nextEvent } from '../support/clients.js';
import { startTestServer, type TestServer, type TestUser } from '../support/server.js';

const WAIT = { timeout: 15_000 };

async function signIn(page: Page, baseUrl: string, user: TestUser): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.getByTestId('login-email').fill(user.email);
  await page.getByTestId('login-password').fill(user.password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('console-shell').waitFor(WAIT);
  await page.waitForFunction(() => !document.querySelector<HTMLSelectElement>('[data-testid="status-control"]')?.disabled, undefined, WAIT);
}

/**
 * A warm transfer in three real browser pages: the visitor on the demo site, agent A, who asks
 * colleague B with a note, and B, who reads the conversation and the note, consults A and takes
 * over. The visitor goes on chatting with B without reloading anything.
 */
describe('browser: warm transfer between two agents', function () {
  this.timeout(120_000);
  let server: TestServer;
  let browser: Browser;
  let department: number;
  let anna: TestUser;
  let bernd: TestUser;

  before(async () => {
    server = await startTestServer();
    department = await makeDepartment(server, { wrapUpSeconds: 0 });
    anna = await server.createUser({ name: 'Anna Schmidt' });
    bernd = await server.createUser({ name: 'Bernd Weber' });
    for (const user of [anna, bernd]) {
      await server.zentrale.db.models.DepartmentMember.create({ userId: user.id, departmentId: department, level: 'L1', maxChats: 2 });
    }
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('A consults B, B takes over, and the visitor keeps chatting with B without a reload', async () => {
    const a = await (await browser.newContext({ locale: 'de-DE' })).newPage();
    const b = await (await browser.newContext({ locale: 'de-DE' })).newPage();
    await signIn(a, server.baseUrl, anna);
    await signIn(b, server.baseUrl, bernd);
    await a.getByTestId('status-control').selectOption('available');

    const visitor = await (await browser.newContext({ locale: 'de-DE' })).newPage();
    await visitor.goto(`${server.baseUrl}/`);
    const widget: FrameLocator = visitor.frameLocator('iframe[data-zentrale-widget]');
    await widget.getByTestId('widget-launcher').click();
    await widget.locator(`[data-testid="prechat-department"] option[value="${department}"]`).waitFor({ state: 'attached', ...WAIT });
    await widget.getByTestId('prechat-department').selectOption(String(department));
    await widget.getByTestId('prechat-name').fill('Erika Mustermann');
    await widget.getByTestId('prechat-message').fill('Meine Rechnung stimmt nicht.');
    await widget.getByTestId('prechat-submit').click();

    await a.getByTestId('offer-card').waitFor(WAIT);
    await a.getByTestId('offer-accept').click();
    await widget.getByText('Sie sprechen jetzt mit Anna Schmidt.').waitFor(WAIT);
    await b.getByTestId('status-control').selectOption('available');

    // A asks B, with a handover note.
    await a.getByTestId('chat-transfer').click();
    const dialog = a.getByTestId('transfer-dialog');
    await dialog.waitFor(WAIT);
    const candidate = dialog.locator(`[data-testid="transfer-candidate"][data-agent-id="${bernd.id}"]`);
    await candidate.and(a.locator('[data-refusal=""]')).waitFor(WAIT);
    await candidate.click();
    await a.getByTestId('transfer-note-input').fill('Rechnung 4711 doppelt abgebucht, Kundin hat den Kontoauszug.');
    await a.getByTestId('transfer-submit').click();
    await dialog.waitFor({ state: 'detached', ...WAIT });
    await a.getByTestId('transfer-pending').waitFor(WAIT);
    await widget.getByText('Anna Schmidt verbindet Sie mit einer Kollegin oder einem Kollegen. Einen Moment bitte.').waitFor(WAIT);

    // B sees the note up front with a countdown, looks at the conversation and asks A something.
    const card = b.getByTestId('transfer-card');
    await card.waitFor(WAIT);
    assert.match((await b.getByTestId('transfer-note').textContent()) ?? '', /Rechnung 4711 doppelt abgebucht/);
    assert.match((await b.getByTestId('transfer-countdown').textContent()) ?? '', /Noch \d+ s zum Antworten/);
    await b.getByTestId('transfer-view').click();
    const preview = b.getByTestId('transfer-preview');
    await preview.locator('[data-testid="message"]').filter({ hasText: 'Meine Rechnung stimmt nicht.' }).waitFor(WAIT);
    assert.equal(await preview.getByTestId('visitor-name').textContent(), 'Erika Mustermann');
    await preview.getByTestId('consult-input').fill('Hat sie die Rechnungsnummer genannt?');
    await preview.getByTestId('consult-send').click();
    await a.getByTestId('consult-panel').getByTestId('consult-message').filter({ hasText: 'Hat sie die Rechnungsnummer genannt?' }).waitFor(WAIT);
    await a.getByTestId('consult-input').fill('Ja, 4711.');
    await a.getByTestId('consult-send').click();
    await preview.getByTestId('consult-message').filter({ hasText: 'Ja, 4711.' }).waitFor(WAIT);

    // The visitor writes while B decides: B sees it live in the preview.
    await widget.getByTestId('composer-input').fill('Ist noch jemand da?');
    await widget.getByTestId('composer-input').press('Enter');
    await preview.locator('[data-testid="message"]').filter({ hasText: 'Ist noch jemand da?' }).waitFor(WAIT);

    await preview.getByTestId('transfer-preview-accept').click();
    await preview.waitFor({ state: 'detached', ...WAIT });
    await card.waitFor({ state: 'detached', ...WAIT });
    const chatOfB = b.getByTestId('chat-view');
    await chatOfB.waitFor(WAIT);
    await chatOfB.locator('[data-testid="message"]').filter({ hasText: 'Ist noch jemand da?' }).waitFor(WAIT);
    await b.getByTestId('consult-panel').getByTestId('consult-message').filter({ hasText: 'Ja, 4711.' }).waitFor(WAIT);

    // The visitor's page was never reloaded: it now talks to B.
    await widget.getByText('Sie sprechen jetzt mit Bernd Weber.').waitFor(WAIT);
    await widget.getByTestId('widget-agent').filter({ hasText: 'Bernd Weber' }).waitFor(WAIT);
    await widget.getByTestId('composer-input').fill('Danke, Herr Weber!');
    await widget.getByTestId('composer-input').press('Enter');
    await chatOfB.locator('[data-testid="message"]').filter({ hasText: 'Danke, Herr Weber!' }).waitFor(WAIT);
    await b.getByTestId('composer-input').fill('Gern, ich storniere die doppelte Abbuchung.');
    await b.getByTestId('composer-input').press('Enter');
    await widget.locator('[data-testid="message"][data-sender="agent"]').filter({ hasText: 'Gern, ich storniere die doppelte Abbuchung.' }).waitFor(WAIT);

    // A is told and keeps a read-only copy until dismissing it; nothing internal reached the visitor.
    await a.getByTestId('transfer-notice').filter({ hasText: 'Bernd Weber hat den Chat mit Erika Mustermann übernommen.' }).waitFor(WAIT);
    await a.getByTestId('chat-handed-over').filter({ hasText: 'An Bernd Weber übergeben.' }).waitFor(WAIT);
    assert.equal(await a.getByTestId('composer-input').isDisabled(), true);
    const visitorText = (await widget.locator('body').textContent()) ?? '';
    assert.ok(!visitorText.includes('4711'), 'the note and the consult stay between the agents');
    await b.getByTestId('timeline-event').and(b.locator('[data-type="transfer_accepted"]')).waitFor(WAIT);

    for (const page of [a, b, visitor]) await page.context().close();
  });

  it('a supervisor sees transfers in progress and reassigns a waiting chat from the queue', async () => {
    const dept = await makeDepartment(server);
    const supervisor = await server.createUser({ name: 'Sabine Sommer', role: 'supervisor' });
    const a = await makeAgent(server, { memberships: [{ departmentId: dept }] });
    const b = await makeAgent(server, { memberships: [{ departmentId: dept }], available: false });
    const served = await makeVisitorChat(server, dept, { name: 'Bediente Kundin' });
    await eventually(() => a.offers.some((o) => o.conversationId === served.conversationId), 5000, 'the offer');
    expectOk(await ask(a.socket, 'offer:accept', { conversationId: served.conversationId }));
    await b.setStatus('available');
    await a.setStatus('away');
    const waiting = await makeVisitorChat(server, dept, { name: 'Wartender Kunde' });

    const page = await (await browser.newContext({ locale: 'de-DE' })).newPage();
    await signIn(page, server.baseUrl, supervisor);
    await page.getByTestId('nav-team').click();
    expectOk(await ask(a.socket, 'transfer:request', { conversationId: served.conversationId, clientId: clientId(), to: { type: 'agent', agentId: b.user.id }, note: 'Bitte Vertrag prüfen', force: false }));
    await page.getByTestId('team-transfer').filter({ hasText: 'Bediente Kundin' }).filter({ hasText: 'Bitte Vertrag prüfen' }).waitFor(WAIT);

    const assigned = nextEvent<AgentConversation>(b.socket, 'conversation:assigned', 15_000);
    await page.locator(`[data-testid="queue-entry"][data-conversation-id="${waiting.conversationId}"]`).getByTestId('queue-reassign').click();
    const dialog = page.getByTestId('transfer-dialog');
    await dialog.locator(`[data-testid="transfer-candidate"][data-agent-id="${b.user.id}"]`).click();
    await page.getByTestId('transfer-submit').click();
    await dialog.waitFor({ state: 'detached', ...WAIT });
    assert.equal((await assigned).id, waiting.conversationId);
    await page.locator(`[data-testid="queue-entry"][data-conversation-id="${waiting.conversationId}"]`).waitFor({ state: 'detached', ...WAIT });
    await page.context().close();
    closeAllSockets();
  });
});
