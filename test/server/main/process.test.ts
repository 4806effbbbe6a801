import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { closeAllSockets, connectVisitor, emitRaw, request, visitorSession } from '../../support/clients.js';

const MAIN = path.resolve('server/src/main.ts');

function startProcess(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the server process', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'zentrale-proc-'));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));
  afterEach(closeAllSockets);

  it('says at start that voice is unavailable, why and how to fix it; chat works', async () => {
    const { child, exited, output } = startProcess({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', MEDIASOUP_WORKER_BIN: '/nonexistent/mediasoup-worker' });
    await waitFor(() => /Agent console:\s+http:\/\/\S+\/console\//.test(output()), 20_000, 'the start banner');
    assert.match(output(), /Voice calls: NOT available: MEDIASOUP_WORKER_BIN=\/nonexistent\/mediasoup-worker is not an executable file/);
    assert.match(output(), /To fix: .*npm run voice:worker/);
    const url = /Demo site with the chat widget:\s+(http:\/\/\S+)\//.exec(output())![1]!;
    const departments = await request<{ voice: { available: boolean } }>(url, 'GET', '/api/public/departments');
    assert.equal(departments.body.ok && departments.body.data.voice.available, false, 'the widget is told');
    const socket = await connectVisitor(url, (await visitorSession(url)).token);
    const join = await emitRaw(socket, 'voice:join', { roomId: 'conversation:00000000-0000-4000-8000-000000000000' });
    assert.equal(!join.ok && join.error.code, 'UNAVAILABLE', 'calls are refused clearly');
    assert.ok(!join.ok && !join.error.message.includes('/nonexistent'), 'callers are not told server paths');
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });

  it('stops at start with a message naming a wrong variable', async () => {
    const { exited, output } = startProcess({ PORT: 'abc', DATA_DIR: dataDir });
    assert.equal(await exited, 2);
    assert.match(output(), /Invalid configuration/);
    assert.match(output(), /PORT \(given "abc"\)/);
  });

  it('prints where to go and how to sign in, then shuts down gracefully on SIGTERM', async () => {
    const { child, exited, output } = startProcess({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info' });
    await waitFor(() => /Agent console:\s+http:\/\/\S+\/console\//.test(output()), 20_000, 'the start banner');
    const url = /Demo site with the chat widget:\s+(http:\/\/\S+)\//.exec(output())![1]!;
    assert.match(output(), /console\/setup\?token=\S+/, 'a fresh install explains how to create the first admin');
    assert.equal((await request(url, 'GET', '/health')).status, 200);

    const socket = await connectVisitor(url, (await visitorSession(url)).token);
    const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    // A transport close, not a server disconnect: clients reconnect (to another node, in a cluster).
    assert.equal(await disconnected, 'transport close');
    assert.match(output(), /shutdown complete/);
    await assert.rejects(fetch(`${url}/health`));
  });
});
