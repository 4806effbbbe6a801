/// <reference lib="dom" />
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { AssignmentRule, SlaPolicy, Substitute } from '../../shared/schemas/tickets.js';
import { launchBrowser } from '../support/browser.js';
import { makeDepartment } from '../support/chatFixtures.js';
import { closeAllSockets, expectOk, login, request } from '../support/clients.js';
import { startTestServer, type TestServer, type TestUser } from '../support/server.js';

const WAIT = { timeout: 15_000 };

async function signIn(page: Page, baseUrl: string, user: TestUser): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.getByTestId('login-email').fill(user.email);
  await page.getByTestId('login-password').fill(user.password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('console-shell').waitFor(WAIT);
}

/**
 * Ticket settings in the console's Admin section: an admin sets an SLA policy (after a clear
 * validation message for a bad value), gives an agent a substitute and deletes the policy
 * again after confirming; the REST API shows each change. Supervisors reach the section too,
 * as the server lets them.
 */
describe('browser: ticket settings (admin)', function () {
  this.timeout(120_000);
  let server: TestServer;
  let browser: Browser;
  let department: number;
  let admin: TestUser;
  let supervisor: TestUser;
  let anna: TestUser;
  let ben: TestUser;
  let cookie: string;

  before(async () => {
    server = await startTestServer();
    department = await makeDepartment(server);
    await server.zentrale.db.models.Department.update({ name: 'Technik' }, { where: { id: department } });
    admin = await server.createUser({ role: 'admin', name: 'Ada Admin' });
    supervisor = await server.createUser({ role: 'supervisor', name: 'Sven Super' });
    anna = await server.createUser({ name: 'Anna Agent' });
    ben = await server.createUser({ name: 'Ben Backup' });
    cookie = await login(server.baseUrl, admin.email, admin.password);
    browser = await launchBrowser();
  });
  after(async () => {
    closeAllSockets();
    await browser?.close();
    await server?.close();
  });

  const policies = async (): Promise<SlaPolicy[]> =>
    expectOk((await request<{ policies: SlaPolicy[] }>(server.baseUrl, 'GET', '/api/sla-policies', { cookie })).body).policies;
  const substitutes = async (): Promise<Substitute[]> =>
    expectOk((await request<{ substitutes: Substitute[] }>(server.baseUrl, 'GET', '/api/substitutes', { cookie })).body).substitutes;

  it('sets an SLA policy and a substitute in the UI; the API has them', async () => {
    const page = await (await browser.newContext({ locale: 'en-GB' })).newPage();
    await signIn(page, server.baseUrl, admin);
    await page.getByTestId('nav-admin').click();
    await page.waitForURL(/\/console\/admin$/, WAIT);
    const sla = page.getByTestId('sla-manager');
    await sla.waitFor(WAIT);

    // A new SLA policy, with a bad value first: a clear message and no way to save.
    await sla.getByTestId('sla-new').click();
    const form = sla.getByTestId('sla-form');
    await form.getByTestId('sla-department').selectOption(String(department));
    await form.getByTestId('sla-urgency').selectOption('limited_usability');
    await form.getByTestId('sla-first').fill('30');
    await form.getByTestId('sla-resolution').fill('zwei Tage');
    assert.equal(await form.getByTestId('sla-resolution').getAttribute('aria-invalid'), 'true');
    await form.locator('#sla-resolution-hint.field-error').waitFor(WAIT);
    assert.equal(await form.getByTestId('sla-save').isDisabled(), true);
    await form.getByTestId('sla-resolution').fill('2880');
    await form.getByTestId('sla-save').click();
    const row = sla.locator(`[data-testid="sla-row"][data-department="${department}"][data-urgency="limited_usability"]`);
    await row.waitFor(WAIT);
    assert.match((await row.textContent()) ?? '', /Technik.*LIMITED USABILITY.*30.*2880/s);

    const stored = await policies();
    assert.equal(stored.length, 1);
    assert.deepEqual(
      { departmentId: stored[0]!.departmentId, urgency: stored[0]!.urgency, first: stored[0]!.firstResponseMinutes, resolution: stored[0]!.resolutionMinutes },
      { departmentId: department, urgency: 'limited_usability', first: 30, resolution: 2880 },
    );

    // Editing: clearing the first-response field means "no target".
    await row.getByTestId('sla-edit').click();
    await form.getByTestId('sla-first').fill('');
    await form.getByTestId('sla-save').click();
    await form.waitFor({ state: 'detached', ...WAIT });
    await row.locator('td.muted').waitFor(WAIT);
    const edited = await policies();
    assert.equal(edited.length, 1);
    assert.equal(edited[0]!.firstResponseMinutes, null);
    assert.equal(edited[0]!.resolutionMinutes, 2880);

    // A substitute for Anna: Ben, and nobody can stand in for themselves (not offered).
    const subs = page.getByTestId('substitutes-manager');
    const annaRow = subs.locator(`[data-testid="substitute-row"][data-user-id="${anna.id}"]`);
    const select = annaRow.getByTestId('substitute-select');
    await select.waitFor(WAIT);
    assert.equal(await select.locator(`option[value="${anna.id}"]`).count(), 0);
    await select.selectOption(String(ben.id));
    await subs.getByRole('status').filter({ hasText: 'Anna Agent' }).waitFor(WAIT);
    assert.equal((await substitutes()).find((s) => s.userId === anna.id)?.substituteId, ben.id);

    // Deleting the policy asks first.
    await row.getByTestId('sla-delete').click();
    const dialog = page.getByTestId('confirm-dialog');
    await dialog.waitFor(WAIT);
    assert.match((await dialog.textContent()) ?? '', /Technik/);
    await dialog.getByTestId('confirm-ok').click();
    await sla.locator('p.empty').waitFor(WAIT);
    assert.equal(await row.count(), 0);
    assert.deepEqual(await policies(), []);

    // Clearing the substitute.
    await annaRow.getByTestId('substitute-clear').click();
    await annaRow.getByTestId('substitute-clear').and(page.locator(':disabled')).waitFor(WAIT);
    assert.equal((await substitutes()).find((s) => s.userId === anna.id)?.substituteId, null);

    // An assignment rule: without a target it cannot be saved; with one the API has it.
    const rules = page.getByTestId('rules-manager');
    await rules.getByTestId('rule-new').click();
    const ruleForm = rules.getByTestId('rule-form');
    await ruleForm.getByTestId('rule-department').selectOption(String(department));
    await ruleForm.getByTestId('rule-keywords').fill('Drucker, Scanner');
    await ruleForm.getByTestId('rule-language').fill('de');
    assert.equal(await ruleForm.getByTestId('rule-save').isDisabled(), true);
    await ruleForm.getByTestId('rule-agent').selectOption(String(ben.id));
    await ruleForm.getByTestId('rule-save').click();
    await rules.getByTestId('rule-row').filter({ hasText: 'Ben Backup' }).waitFor(WAIT);
    const storedRules = expectOk((await request<{ rules: AssignmentRule[] }>(server.baseUrl, 'GET', '/api/assignment-rules', { cookie })).body).rules;
    assert.equal(storedRules.length, 1);
    assert.deepEqual(
      { departmentId: storedRules[0]!.departmentId, keywords: storedRules[0]!.keywords, language: storedRules[0]!.language, agent: storedRules[0]!.assignToAgentId },
      { departmentId: department, keywords: ['Drucker', 'Scanner'], language: 'de', agent: ben.id },
    );
    await page.context().close();
  });

  it('supervisors reach the ticket settings too (the server allows them)', async () => {
    const page = await (await browser.newContext({ locale: 'en-GB' })).newPage();
    await signIn(page, server.baseUrl, supervisor);
    await page.getByTestId('nav-admin').click();
    await page.getByTestId('rules-manager').waitFor(WAIT);
    await page.getByTestId('substitutes-manager').waitFor(WAIT);
    await page.context().close();
  });
});
