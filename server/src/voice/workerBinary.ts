import { createHash } from 'node:crypto';
import { constants, existsSync, readFileSync } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type WorkerBinary =
  | { ok: true; path: string; source: 'env' | 'package' | 'cache'; version: string }
  /** `reason` is for the operator (log, start banner) and may name paths; `summary` is what clients may see. */
  | { ok: false; reason: string; summary: string; fix: string };

const BUILD_FIX = 'run `npm run voice:worker` (downloads or builds the worker; see docs/voice-worker.md)';

/** The Debian build patch for a mediasoup version; its hash is part of the cache key. */
export function patchFile(version: string): string {
  return fileURLToPath(new URL(`../../../scripts/voice-worker/mediasoup-${version}-debian.patch`, import.meta.url));
}

function cacheRoot(): string {
  const env = process.env;
  return env['ZENTRALE_CACHE_DIR'] || path.join(env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache'), 'zentrale');
}

/** Where a worker built here for this mediasoup version and this patch lives. */
export function cachedWorkerPath(version: string): string {
  // A changed patch must never reuse a binary built from the old one.
  const patch = patchFile(version);
  const hash = existsSync(patch) ? createHash('sha256').update(readFileSync(patch)).digest('hex').slice(0, 12) : 'nopatch';
  return path.join(cacheRoot(), 'voice-worker', `mediasoup-${version}-${hash}`, 'mediasoup-worker');
}

/** The installed mediasoup package, or null when the optional dependency is absent. */
export async function mediasoupPackage(): Promise<{ dir: string; version: string } | null> {
  let entry: string;
  try {
    // Not 'mediasoup/package.json': mediasoup's "exports" map does not expose it.
    entry = createRequire(import.meta.url).resolve('mediasoup');
  } catch {
    return null;
  }
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const { name, version } = JSON.parse(await readFile(manifest, 'utf8')) as { name?: string; version: string };
    if (name === 'mediasoup') return { dir, version };
  }
  return null;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    // X_OK alone accepts directories (and, for root, any file with one x bit).
    await access(file, constants.X_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/**
 * MEDIASOUP_WORKER_BIN (env) → the package's own worker/out/Release/mediasoup-worker → the cache.
 * A set but unusable MEDIASOUP_WORKER_BIN is reported, not skipped: mediasoup itself would spawn exactly
 * that path. The caller must set MEDIASOUP_WORKER_BIN to the result before importing mediasoup, because
 * mediasoup reads it once at import time. Nothing is spawned here.
 */
export async function locateWorkerBinary(): Promise<WorkerBinary> {
  const pkg = await mediasoupPackage();
  if (!pkg) return { ok: false, reason: 'the mediasoup package is not installed', summary: 'the mediasoup package is not installed', fix: 'run `npm install` (mediasoup is an optional dependency), then ' + BUILD_FIX };
  const { dir, version } = pkg;

  const fromEnv = process.env['MEDIASOUP_WORKER_BIN'];
  if (fromEnv) {
    if (await isExecutable(fromEnv)) return { ok: true, path: path.resolve(fromEnv), source: 'env', version };
    return {
      ok: false,
      reason: `MEDIASOUP_WORKER_BIN=${fromEnv} is not an executable file`,
      summary: 'MEDIASOUP_WORKER_BIN is not an executable file',
      fix: `point MEDIASOUP_WORKER_BIN at a mediasoup-worker ${version} binary, or unset it and ${BUILD_FIX}`,
    };
  }

  const fromPackage = path.join(dir, 'worker', 'out', 'Release', 'mediasoup-worker');
  if (await isExecutable(fromPackage)) return { ok: true, path: fromPackage, source: 'package', version };

  const fromCache = cachedWorkerPath(version);
  if (await isExecutable(fromCache)) return { ok: true, path: fromCache, source: 'cache', version };

  return { ok: false, reason: `no mediasoup-worker ${version} binary (looked in ${fromPackage} and ${fromCache})`, summary: `no mediasoup-worker ${version} binary was found`, fix: BUILD_FIX };
}
