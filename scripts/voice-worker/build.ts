// `npm run voice:worker`: makes a mediasoup-worker binary available (see docs/voice-worker.md).
// Never called from an install hook: npm install must not depend on it.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cachedWorkerPath, locateWorkerBinary, mediasoupPackage, patchFile } from '../../server/src/voice/workerBinary.js';

const APT_PACKAGES = [
  'meson', 'ninja-build', 'pkg-config', 'g++', 'patch', 'libssl-dev', 'libuv1-dev', 'libsrtp2-dev',
  'libusrsctp-dev', 'libabsl-dev', 'libflatbuffers-dev', 'flatbuffers-compiler',
];
const LOCK_WAIT_MS = 30 * 60_000;
/** The temp build folder while a build runs, removed if the run is interrupted. */
let buildDir: string | undefined;
/** Commands still running, stopped with us: a SIGTERM to this process alone must not orphan a build. */
const running = new Set<ChildProcess>();

const log = (message: string): void => console.log(`[voice-worker] ${message}`);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

class Failure extends Error {
  constructor(message: string, readonly fix: string, readonly logFile?: string) {
    super(message);
  }
}

/** Runs a command with its output appended to the log file; resolves with the exit code (null: killed). */
function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; logFile: string; timeoutMs?: number }): Promise<number | null> {
  const fd = openSync(opts.logFile, 'a');
  writeSync(fd, `\n$ ${[cmd, ...args].join(' ')}${opts.cwd ? `   (in ${opts.cwd})` : ''}\n`);
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', fd, fd] });
    running.add(child);
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    const done = (code: number | null): void => {
      running.delete(child);
      clearTimeout(timer);
      closeSync(fd);
      resolve(code);
    };
    child.on('error', (error) => {
      writeSync(fd, `${String(error)}\n`);
      done(127);
    });
    child.on('exit', (code) => done(code));
  });
}

async function runOrFail(cmd: string, args: string[], opts: Parameters<typeof run>[2], what: string): Promise<void> {
  const code = await run(cmd, args, opts);
  if (code !== 0) throw new Failure(`${what} failed (exit ${code ?? 'killed'})`, 'read the build log; docs/voice-worker.md lists what the build needs', opts.logFile);
}

async function canReach(url: string): Promise<boolean> {
  try {
    await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(5000) });
    return true;
  } catch {
    return false;
  }
}

function isDebianLike(): boolean {
  try {
    const release = readFileSync('/etc/os-release', 'utf8');
    return /^(ID|ID_LIKE)=.*\b(debian|ubuntu)\b/m.test(release);
  } catch {
    return false;
  }
}

async function dpkgInstalled(pkg: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('dpkg-query', ['-W', '-f=${Status}', pkg], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', () => resolve(false));
    child.on('exit', () => resolve(out.trim() === 'install ok installed'));
  });
}

async function ensureAptPackages(logFile: string): Promise<void> {
  const missing: string[] = [];
  for (const pkg of APT_PACKAGES) if (!(await dpkgInstalled(pkg))) missing.push(pkg);
  if (missing.length === 0) return;
  const command = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) throw new Failure(`missing build packages: ${missing.join(' ')}`, `sudo apt-get update && sudo ${command}, then run npm run voice:worker again`);
  log(`installing ${missing.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const args = ['install', '-y', '--no-install-recommends', ...missing];
  if ((await run('apt-get', args, { env, logFile })) === 0) return;
  log('apt-get install failed; running apt-get update once and retrying');
  await run('apt-get', ['update'], { env, logFile });
  if ((await run('apt-get', args, { env, logFile })) !== 0) throw new Failure(`apt-get could not install ${missing.join(' ')}`, `check the apt sources, then: ${command}`, logFile);
}

/** A mkdir lock: atomic on every filesystem; a lock left by a dead process is taken over. */
async function withLock<T>(lockDir: string, fn: () => Promise<T>): Promise<T> {
  const pidFile = path.join(lockDir, 'pid');
  const started = Date.now();
  let announced = false;
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(pidFile, String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number(await readFile(pidFile, 'utf8').catch(() => ''));
    if (owner > 0 && !isAlive(owner)) {
      log(`removing a stale lock left by process ${owner}`);
      await rm(lockDir, { recursive: true, force: true });
      continue;
    }
    if (!announced) log(`another run${owner ? ` (pid ${owner})` : ''} holds ${lockDir}; waiting for it`);
    announced = true;
    if (Date.now() - started > LOCK_WAIT_MS) throw new Failure(`gave up waiting for ${lockDir}`, `if no build is running, delete ${lockDir}`);
    await sleep(2000);
  }
  // Synchronous: process.exit() does not wait for promises.
  const onSignal = (signal: NodeJS.Signals): void => {
    for (const child of running) child.kill('SIGTERM');
    rmSync(lockDir, { recursive: true, force: true });
    if (buildDir) rmSync(buildDir, { recursive: true, force: true });
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    return await fn();
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    await rm(lockDir, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Verifies in a child process: mediasoup reads MEDIASOUP_WORKER_BIN once, at import time. */
function verify(binary: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--verify-only', binary], { stdio: 'inherit' });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
  });
}

async function verifyOnly(binary: string): Promise<number> {
  process.env['MEDIASOUP_WORKER_BIN'] = binary;
  const started = Date.now();
  try {
    const mediasoup = await import('mediasoup');
    const worker = await mediasoup.createWorker({ logLevel: 'warn' });
    try {
      const router = await worker.createRouter({ mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }] });
      const transport = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }, { protocol: 'tcp', ip: '127.0.0.1' }] });
      const kinds = transport.iceCandidates.map((c) => c.protocol).join('+');
      transport.close();
      router.close();
      log(`verified: worker ${mediasoup.version} pid ${worker.pid}, router with Opus, WebRTC transport (${kinds}) on 127.0.0.1 — ${Date.now() - started} ms`);
    } finally {
      worker.close();
    }
    return 0;
  } catch (error) {
    log(`verification FAILED for ${binary}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

async function buildFromSource(version: string, packageDir: string, target: string, logFile: string): Promise<void> {
  const patch = patchFile(version);
  if (!existsSync(patch)) throw new Failure(`there is no Debian build patch for mediasoup ${version} (${patch})`, 'use the mediasoup version in package.json, or write a patch for this version (docs/voice-worker.md)');
  if (!isDebianLike()) throw new Failure('no prebuilt worker could be downloaded and the offline build only knows Debian/Ubuntu', 'build mediasoup-worker yourself and set MEDIASOUP_WORKER_BIN to it');
  await ensureAptPackages(logFile);

  const work = await mkdtemp(path.join(os.tmpdir(), 'zentrale-voice-worker-'));
  buildDir = work;
  // The log keeps everything worth inspecting; the temp copy is removed whatever happens.
  try {
    const src = path.join(work, 'worker');
    const out = path.join(work, 'build');
    const started = Date.now();
    log(`building mediasoup-worker ${version} from source in ${work} (about 3–6 minutes on 2 cores)`);
    const workerDir = path.join(packageDir, 'worker');
    // worker/out holds mediasoup's own build output (a downloaded worker), not sources.
    await cp(workerDir, src, { recursive: true, filter: (from) => path.relative(workerDir, from).split(path.sep)[0] !== 'out' });
    await runOrFail('patch', ['-p1', '--forward', '--batch', '-i', patch], { cwd: src, logFile }, 'applying the patch');
    await runOrFail('meson', ['setup', out, '--buildtype=release', '--wrap-mode=nofallback', '-Dms_disable_liburing=true'], { cwd: src, logFile }, 'meson setup');
    // The generated FBS headers are not declared as dependencies of the sources: generate them first.
    await runOrFail('meson', ['compile', '-C', out, 'flatbuffers-generator'], { logFile }, 'generating the flatbuffers headers');
    await runOrFail('meson', ['compile', '-C', out, 'mediasoup-worker'], { logFile }, 'compiling mediasoup-worker');
    log(`compiled in ${Math.round((Date.now() - started) / 1000)} s`);

    // Strip and verify beside the target, then rename: the cache only ever holds a checked binary.
    const temp = `${target}.tmp-${process.pid}`;
    await runOrFail('strip', ['-o', temp, path.join(out, 'mediasoup-worker')], { logFile }, 'strip');
    await chmod(temp, 0o755);
    if (!(await verify(temp))) {
      await rm(temp, { force: true });
      throw new Failure('the built worker did not pass the check above', 'read the build log; the patch may not fit this system\'s libraries (docs/voice-worker.md)', logFile);
    }
    await rename(temp, target);
  } finally {
    await rm(work, { recursive: true, force: true });
    buildDir = undefined;
  }
  log(`installed ${target} (${((await stat(target)).size / 1e6).toFixed(1)} MB)`);
}

async function obtain(): Promise<string> {
  const found = await locateWorkerBinary();
  if (found.ok) {
    log(`worker found (${found.source}): ${found.path}`);
    return found.path;
  }
  // An explicit MEDIASOUP_WORKER_BIN or a missing package are for the operator to fix, not for a build.
  if (process.env['MEDIASOUP_WORKER_BIN'] || found.reason.includes('not installed')) throw new Failure(found.reason, found.fix);

  const pkg = await mediasoupPackage();
  if (!pkg) throw new Failure('the mediasoup package is not installed', 'run `npm install`');
  const { dir: packageDir, version } = pkg;
  const target = cachedWorkerPath(version);
  const cacheDir = path.dirname(target);
  await mkdir(cacheDir, { recursive: true });
  const logFile = path.join(cacheDir, 'build.log');

  return withLock(`${cacheDir}.lock`, async () => {
    const again = await locateWorkerBinary();
    if (again.ok) {
      log(`worker found (${again.source}) after waiting: ${again.path}`);
      return again.path;
    }
    await writeFile(logFile, `mediasoup-worker ${version}, ${new Date().toISOString()}\n`);
    log(`no worker for mediasoup ${version} yet; log: ${logFile}`);

    if (await canReach('https://github.com')) {
      log('github.com is reachable: running mediasoup\'s own installer (prebuilt download)');
      const code = await run(process.execPath, ['npm-scripts.mjs', 'postinstall'], { cwd: packageDir, logFile, timeoutMs: 15 * 60_000 });
      const after = await locateWorkerBinary();
      if (code === 0 && after.ok && (await verify(after.path))) return after.path;
      log('mediasoup\'s installer did not produce a working worker; building from source');
    } else {
      log('github.com is not reachable: building from source');
    }
    await buildFromSource(version, packageDir, target, logFile);
    return target;
  });
}

async function main(): Promise<number> {
  const verifyIndex = process.argv.indexOf('--verify-only');
  // Exit explicitly: a misbehaving worker must not keep the check alive.
  if (verifyIndex >= 0) process.exit(await verifyOnly(process.argv[verifyIndex + 1] ?? ''));

  const required = process.env['REQUIRE_VOICE'] === '1' || process.argv.includes('--require');
  try {
    await obtain();
    return 0;
  } catch (error) {
    const failure = error instanceof Failure ? error : new Failure(error instanceof Error ? error.message : String(error), 'see docs/voice-worker.md');
    log(`NO mediasoup worker: ${failure.message}`);
    if (failure.logFile && existsSync(failure.logFile)) {
      log(`build log: ${failure.logFile} — last 30 lines:`);
      for (const line of readFileSync(failure.logFile, 'utf8').trimEnd().split('\n').slice(-30)) console.log(`  ${line}`);
    }
    log(`fix: ${failure.fix}`);
    log(required ? 'voice is required here (REQUIRE_VOICE=1 or --require): failing' : 'voice stays unavailable; chat works without it');
    return required ? 1 : 0;
  }
}

process.exitCode = await main();
