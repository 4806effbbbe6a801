import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { constants, existsSync, readFileSync } from 'node:fs';
import { access, chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { cachedWorkerPath, locateWorkerBinary, patchFile } from '../../../server/src/voice/workerBinary.js';

const ENV_KEYS = ['MEDIASOUP_WORKER_BIN', 'ZENTRALE_CACHE_DIR', 'XDG_CACHE_HOME'] as const;

async function fakeBinary(file: string, mode: number): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, '#!/bin/sh\nexit 0\n');
  await chmod(file, mode);
  return file;
}

function mediasoupInstalled(): boolean {
  return existsSync(path.join(process.cwd(), 'node_modules', 'mediasoup', 'package.json'));
}

describe('locating the mediasoup worker binary', () => {
  const saved: Partial<Record<(typeof ENV_KEYS)[number], string>> = {};
  let dir: string;

  beforeEach(async function () {
    for (const key of ENV_KEYS) {
      saved[key] = process.env[key];
      delete process.env[key];
    }
    dir = await mkdtemp(path.join(os.tmpdir(), 'zentrale-worker-test-'));
    process.env['ZENTRALE_CACHE_DIR'] = path.join(dir, 'cache');
  });

  afterEach(async () => {
    for (const key of ENV_KEYS) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('keys the cache by mediasoup version and the patch hash, under ZENTRALE_CACHE_DIR or XDG_CACHE_HOME', () => {
    const patch = patchFile('3.19.3');
    assert.ok(existsSync(patch), `the Debian patch exists: ${patch}`);
    const hash = createHash('sha256').update(readFileSync(patch)).digest('hex').slice(0, 12);
    assert.equal(cachedWorkerPath('3.19.3'), path.join(dir, 'cache', 'voice-worker', `mediasoup-3.19.3-${hash}`, 'mediasoup-worker'));

    delete process.env['ZENTRALE_CACHE_DIR'];
    process.env['XDG_CACHE_HOME'] = path.join(dir, 'xdg');
    assert.equal(cachedWorkerPath('3.19.3'), path.join(dir, 'xdg', 'zentrale', 'voice-worker', `mediasoup-3.19.3-${hash}`, 'mediasoup-worker'));
    assert.match(cachedWorkerPath('9.9.9'), /mediasoup-9\.9\.9-nopatch/, 'a version without a patch gets its own key');
  });

  describe('with mediasoup installed', () => {
    before(function () {
      // mediasoup is an optional dependency: where npm could not install it there is nothing to
      // locate. CI (REQUIRE_VOICE=1) always has it, so there a missing package fails instead.
      if (mediasoupInstalled()) return;
      if (process.env.REQUIRE_VOICE === '1') throw new Error('REQUIRE_VOICE=1 but the mediasoup package is not installed');
      this.skip();
    });

    it('MEDIASOUP_WORKER_BIN wins when it is an executable file', async () => {
      const bin = await fakeBinary(path.join(dir, 'custom', 'mediasoup-worker'), 0o755);
      process.env['MEDIASOUP_WORKER_BIN'] = bin;
      const found = await locateWorkerBinary();
      assert.ok(found.ok);
      assert.equal(found.source, 'env');
      assert.equal(found.path, bin);
      assert.match(found.version, /^\d+\.\d+\.\d+/);
    });

    // Decision: a set but unusable MEDIASOUP_WORKER_BIN is reported, never skipped in favour of another
    // binary, because mediasoup itself spawns whatever MEDIASOUP_WORKER_BIN names.
    it('reports a non-executable MEDIASOUP_WORKER_BIN instead of falling through', async () => {
      process.env['MEDIASOUP_WORKER_BIN'] = await fakeBinary(path.join(dir, 'custom', 'mediasoup-worker'), 0o644);
      const found = await locateWorkerBinary();
      assert.equal(found.ok, false);
      assert.ok(!found.ok);
      assert.match(found.reason, /MEDIASOUP_WORKER_BIN/);
      assert.match(found.fix, /MEDIASOUP_WORKER_BIN/);
    });

    it('reports a missing MEDIASOUP_WORKER_BIN path, and a directory, the same way', async () => {
      for (const value of [path.join(dir, 'nope', 'mediasoup-worker'), dir]) {
        process.env['MEDIASOUP_WORKER_BIN'] = value;
        const found = await locateWorkerBinary();
        assert.ok(!found.ok, value);
        assert.match(found.reason, /MEDIASOUP_WORKER_BIN/);
      }
    });

    it('finds a worker in the cache, unless the package has its own', async () => {
      const packageDir = path.join(process.cwd(), 'node_modules', 'mediasoup');
      const own = path.join(packageDir, 'worker', 'out', 'Release', 'mediasoup-worker');
      const packageHasOwn = await access(own, constants.X_OK).then(() => true, () => false);
      const version = (JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;

      const before = await locateWorkerBinary();
      if (!packageHasOwn) {
        assert.ok(!before.ok, 'an empty cache has no worker');
        assert.match(before.fix, /voice:worker/);
      }

      const cached = await fakeBinary(cachedWorkerPath(version), 0o755);
      const after = await locateWorkerBinary();
      assert.ok(after.ok);
      assert.deepEqual(after, packageHasOwn ? { ok: true, path: own, source: 'package', version } : { ok: true, path: cached, source: 'cache', version });
    });
  });
});
