/// <reference lib="dom" />
import assert from 'node:assert/strict';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { makeDepartment, makeVisitorChat } from '../support/chatFixtures.js';
import { launchBrowser } from '../support/browser.js';
import { startTestServer, type TestServer, type TestUser } from '../support/server.js';

const WAIT = { timeout: 15_000 };

/**
 * The whole path in two real browser pages: a visitor on the demo site using the widget, an agent
 * in the console. The visitor waits behind other chats and watches their place in the queue move
 * until the agent accepts them.
 */
describe('browser: a visitor and an agent chat live', function () {
  this.timeout(120_000);
  let server: TestServer;
  let browser: Browser;
  let department: number;
  let agentUser: TestUser;

  before(async () => {
    server = await startTestServer();
    department = await makeDepartment(server, { wrapUpSeconds: 0 });
    agentUser = await server.createUser({ name: 'Tom Becker' });
    await server.zentrale.db.models.DepartmentMember.create({ userId: agentUser.id, departmentId: department, level: 'L1', maxChats: 1 });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function agentAccepts(agent: Page, visitorName: string): Promise<void> {
    const offer = agent.getByTestId('offer-card');
    await offer.waitFor(WAIT);
    assert.equal(await agent.getByTestId('offer-visitor').textContent(), visitorName);
    await agent.getByTestId('offer-accept').click();
    await offer.waitFor({ state: 'detached', ...WAIT });
  }

  async function agentCloses(agent: Page, conversationId: string): Promise<void> {
    await agent.locator(`[data-testid="chat-row"][data-conversation-id="${conversationId}"]`).click().catch(() => undefined);
    await agent.getByTestId('chat-close').click();
    await agent.getByTestId('confirm-ok').click();
    await agent.locator(`[data-testid="chat-view"][data-conversation-id="${conversationId}"]`).waitFor({ state: 'detached', ...WAIT });
  }

  it('queue position is visible while waiting; after accepting both sides chat, with typing', async () => {
    const agent = await (await browser.newContext({ locale: 'de-DE' })).newPage();
    await agent.goto(`${server.baseUrl}/console/`);
    await agent.getByTestId('login-email').fill(agentUser.email);
    await agent.getByTestId('login-password').fill(agentUser.password);
    await agent.getByTestId('login-submit').click();
    await agent.getByTestId('console-shell').waitFor(WAIT);
    await agent.waitForFunction(() => !document.querySelector<HTMLSelectElement>('[data-testid="status-control"]')?.disabled, undefined, WAIT);
    await agent.getByTestId('status-control').selectOption('available');

    // Two chats before ours: the agent (capacity 1) takes the first, the second waits.
    const first = await makeVisitorChat(server, department, { name: 'Erster Kunde' });
    await agentAccepts(agent, 'Erster Kunde');
    const second = await makeVisitorChat(server, department, { name: 'Zweite Kundin' });

    const visitor = await (await browser.newContext({ locale: 'de-DE' })).newPage();
    await visitor.goto(`${server.baseUrl}/`);
    const widget: FrameLocator = visitor.frameLocator('iframe[data-zentrale-widget]');
    await widget.getByTestId('widget-launcher').click();
    await widget.locator(`[data-testid="prechat-department"] option[value="${department}"]`).waitFor({ state: 'attached', ...WAIT });
    await widget.getByTestId('prechat-department').selectOption(String(department));
    await widget.getByTestId('prechat-name').fill('Erika Mustermann');
    await widget.getByTestId('prechat-message').fill('Mein Zähler zeigt E-17.');
    await widget.getByTestId('prechat-submit').click();

    const queueText = widget.getByTestId('queue-text');
    await queueText.filter({ hasText: /Sie sind Nummer 2 – etwa \d+ Minuten/ }).waitFor(WAIT);

    // The first chat ends: the second customer is served, and our visitor moves up, live.
    await agentCloses(agent, first.conversationId);
    await agentAccepts(agent, 'Zweite Kundin');
    await queueText.filter({ hasText: /Sie sind als Nächstes dran/ }).waitFor(WAIT);

    // The second chat ends: now ours is offered. Before the agent accepts, the visitor still sees the queue.
    await agentCloses(agent, second.conversationId);
    await agent.getByTestId('offer-card').waitFor(WAIT);
    assert.equal(await agent.getByTestId('offer-preview').textContent(), 'Mein Zähler zeigt E-17.');
    assert.match((await queueText.textContent()) ?? '', /Sie sind als Nächstes dran/);
    await agentAccepts(agent, 'Erika Mustermann');

    // The visitor learns who answers; the queue card goes away.
    await widget.getByTestId('widget-agent').filter({ hasText: 'Tom Becker' }).waitFor(WAIT);
    await widget.getByText('Sie sprechen jetzt mit Tom Becker.').waitFor(WAIT);
    await widget.getByTestId('queue-status').waitFor({ state: 'detached', ...WAIT });

    // The agent types: the visitor sees it; then the reply arrives.
    const input = agent.getByTestId('composer-input');
    await input.pressSequentially('Guten Tag Frau Mustermann', { delay: 20 });
    await widget.getByTestId('typing-indicator').waitFor(WAIT);
    await input.press('Enter');
    await widget.locator('[data-testid="message"][data-sender="agent"]').filter({ hasText: 'Guten Tag Frau Mustermann' }).waitFor(WAIT);

    // The visitor answers: delivered, and the agent sees it in the open chat.
    await widget.getByTestId('composer-input').fill('Danke, der Zähler blinkt noch.');
    await widget.getByTestId('composer-input').press('Enter');
    await widget.locator('[data-testid="message"][data-sender="visitor"][data-status="delivered"]').filter({ hasText: 'Danke, der Zähler blinkt noch.' }).waitFor(WAIT);
    await agent.locator('[data-testid="message"]').filter({ hasText: 'Danke, der Zähler blinkt noch.' }).waitFor(WAIT);
    // The agent has the chat open, so it is read: the visitor sees the read mark.
    await widget.getByTestId('read-mark').waitFor(WAIT);

    await agent.context().close();
    await visitor.context().close();
  });
});
