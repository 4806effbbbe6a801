/**
 * Benchmark orchestrator: zentrale vs a bare Socket.IO relay on this machine.
 *
 *   npm run bench -- [--scenario steady|burst|idle|nodes|backlog|all|voice] [--quick]
 *                    [--rate N] [--chats N] [--only zentrale|relay] [--calls 25,50,100]
 *
 * Starts every server and load generator itself, samples the servers from /proc, writes
 * bench/results/<timestamp>.json and bench/results/latest.json, and prints a table.
 * Everything talks to 127.0.0.1 only; everything started is stopped, also on errors and ctrl-c.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { BurstResult, IdleResult, Job, Mode, Result, SteadyResult, Team } from './lib/jobs.js';
import { seedBacklog, type Backlog } from './lib/seed.js';
import { Loadgen } from './lib/loadgens.js';
import { pidsByComm, rssKb, Sampler, type UsageReport } from './lib/proc.js';
import { children, startRelay, startZentrale, stopProcess, type Target } from './lib/servers.js';
import { Histogram, ratio } from './lib/stats.js';
import { environment, type Environment } from './lib/environment.js';
import { printTables, type BacklogRun, type BurstSide, type IdleSide, type Report, type SteadySide } from './lib/report.js';
import { printVoice, runVoice, VOICE_QUICK, type VoiceResult } from './voice.js';

const { values: args } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'all' },
    quick: { type: 'boolean', default: false },
    // Overrides for profiling one point: a steady/nodes rate, a chat count, only one side.
    rate: { type: 'string' },
    chats: { type: 'string' },
    only: { type: 'string' },
    // voice: concurrent calls per step, e.g. 25,50,100 (see bench/voice.ts).
    calls: { type: 'string' },
  },
});
// voice (mediasoup, bench/voice.ts) is not part of `all`: it needs the worker binary and measures something else.
const SCENARIOS = ['steady', 'burst', 'idle', 'nodes', 'backlog', 'voice'] as const;
type Scenario = (typeof SCENARIOS)[number];
const chosen: Scenario[] = args.scenario === 'all' ? SCENARIOS.filter((s) => s !== 'voice') : [args.scenario as Scenario];
if (!chosen.every((s) => SCENARIOS.includes(s))) {
  process.stderr.write(`unknown scenario ${args.scenario}; use ${SCENARIOS.join('|')}|all\n`);
  process.exit(2);
}

/** Sizes. The full set follows the targets; --quick is a ~2 minute smoke run. */
const config = args.quick
  ? {
      loadgens: 1,
      steady: { chats: 200, agents: 20, rates: [300], warmupMs: 2000, durationMs: 10_000, graceMs: 5000 },
      burst: { requests: 200, agents: 40, capacity: 10 },
      backlog: { requests: 200, agents: 40, capacity: 6, few: { agents: 10, capacity: 21 }, waiting: { same: 1000, elsewhere: 2000, departments: 4 }, repeats: 1 },
      idle: { sockets: 500 },
      nodes: { chats: 200, agents: 20, rate: 3000, warmupMs: 2000, durationMs: 10_000, graceMs: 5000 },
    }
  : {
      loadgens: 2,
      steady: { chats: 5000, agents: 500, rates: [2000, 10_000], warmupMs: 5000, durationMs: 30_000, graceMs: 10_000 },
      burst: { requests: 1000, agents: 200, capacity: 10 },
      // The report: 200 free agents of capacity 6; 50 agents of capacity 21; 15,000 waiting.
      // Each side three times, interleaved, compared by the median: the machine is shared and noisy.
      backlog: { requests: 1000, agents: 200, capacity: 6, few: { agents: 50, capacity: 21 }, waiting: { same: 5000, elsewhere: 10_000, departments: 4 }, repeats: 3 },
      idle: { sockets: 5000 },
      nodes: { chats: 2000, agents: 200, rate: 10_000, warmupMs: 5000, durationMs: 20_000, graceMs: 10_000 },
    };

if (args.rate) {
  config.steady.rates = [Number(args.rate)];
  config.nodes.rate = Number(args.rate);
}
if (args.chats) {
  config.steady.chats = Number(args.chats);
  config.nodes.chats = Number(args.chats);
}

// ─── clean-up on every exit path ───────────────────────────────────────────────────────────────

const cleanups = new Set<() => Promise<void>>();
let interrupted = false;
async function cleanupAll(): Promise<void> {
  for (const c of [...cleanups]) await c().catch(() => undefined);
  await Promise.all([...children].map((c) => stopProcess(c)));
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping servers and load generators…\n`);
    const hard = setTimeout(() => process.exit(130), 20_000);
    void cleanupAll().finally(() => {
      clearTimeout(hard);
      process.exit(130);
    });
  });
}

async function withTarget<T>(start: () => Promise<Target>, fn: (t: Target) => Promise<T>): Promise<T> {
  const target = await start();
  cleanups.add(target.stop);
  try {
    return await fn(target);
  } finally {
    cleanups.delete(target.stop);
    await target.stop();
  }
}

const log = (s: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}\n`);

// ─── one measured phase: fork load generators, set up, sample, run ────────────────────────────

interface PhaseOutput {
  results: Result[];
  usage: UsageReport;
}

async function phase(target: Target, jobs: Job[], runTimeoutMs: number, extra: { cluster?: boolean } = {}): Promise<PhaseOutput> {
  const gens = jobs.map(() => new Loadgen());
  const stopGens = async () => void (await Promise.all(gens.map((g) => g.exit())));
  cleanups.add(stopGens);
  try {
    await Promise.all(gens.map((g, i) => g.setup(jobs[i]!, 10 * 60_000)));
    const sampler = new Sampler({
      server: target.pids,
      mariadb: pidsByComm(['mariadbd', 'mysqld']),
      ...(extra.cluster ? { redis: pidsByComm(['redis-server']) } : {}),
      loadgens: gens.map((g) => g.pid),
    });
    sampler.begin();
    const results = await Promise.all(gens.map((g) => g.run(runTimeoutMs)));
    return { results, usage: sampler.end() };
  } finally {
    cleanups.delete(stopGens);
    await stopGens();
  }
}

/** Splits `n` into `k` nearly equal integer parts. */
const split = (n: number, k: number) => Array.from({ length: k }, (_, i) => Math.floor(n / k) + (i < n % k ? 1 : 0));

// ─── steady ────────────────────────────────────────────────────────────────────────────────────


function mergeSteady(results: SteadyResult[], usage: UsageReport): SteadySide {
  const sum = (f: (r: SteadyResult) => number) => results.reduce((a, r) => a + f(r), 0);
  const seconds = (results[0]?.windowMs ?? 1) / 1000;
  const errors: Record<string, number> = {};
  for (const r of results) for (const [k, v] of Object.entries(r.ackErrors)) errors[k] = (errors[k] ?? 0) + v;
  return {
    chats: sum((r) => r.chatsAssigned),
    offeredPerSec: Math.round(sum((r) => r.offered) / seconds),
    achievedPerSec: Math.round(sum((r) => r.delivered) / seconds),
    ackedPerSec: Math.round(sum((r) => r.acked) / seconds),
    skipped: sum((r) => r.skipped),
    lost: sum((r) => r.lost),
    duplicated: sum((r) => r.duplicated),
    totalAcked: sum((r) => r.totalAcked),
    v2a: Histogram.from(...results.map((r) => r.v2a)).summary(),
    a2v: Histogram.from(...results.map((r) => r.a2v)).summary(),
    ack: Histogram.from(...results.map((r) => r.ack)).summary(),
    errors,
    disconnects: sum((r) => r.disconnects),
    usage,
  };
}

async function steadyRun(
  mode: Mode,
  p: { chats: number; agents: number; rate: number; warmupMs: number; durationMs: number; graceMs: number },
  topology: { nodes: number; cluster: boolean } = { nodes: 1, cluster: false },
): Promise<SteadySide> {
  const k = config.loadgens;
  const agents = split(p.agents, k);
  const chats = split(p.chats, k);
  // Capacity chats/agents (rounded up): every chat of the steady set gets an agent at once.
  const teams = agents.map((a, i) => ({ agents: a, capacity: Math.ceil(chats[i]! / a) }));
  const start = () => (mode === 'zentrale' ? startZentrale({ ...topology, teams }) : startRelay(teams));
  return withTarget(start, async (target) => {
    const jobs: Job[] = target.teams.map((team: Team, i) => ({
      kind: 'steady', mode, urls: target.urls, index: i, team, chats: chats[i]!, rate: p.rate / k,
      warmupMs: p.warmupMs, durationMs: p.durationMs, graceMs: p.graceMs, maxInFlightPerChat: 50,
    }));
    const out = await phase(target, jobs, p.warmupMs + p.durationMs + p.graceMs + 240_000, { cluster: topology.cluster });
    return mergeSteady(out.results as SteadyResult[], out.usage);
  });
}

// ─── burst ─────────────────────────────────────────────────────────────────────────────────────


async function burstRun(
  mode: Mode,
  p: { requests: number; agents: number; capacity: number } = config.burst,
  opts: { cluster?: boolean; backlog?: Backlog; oneDepartment?: boolean } = {},
): Promise<BurstSide> {
  // The burst scenario gives each load generator a department of its own. `oneDepartment` sends
  // the whole burst to one department from one load generator: a request and its assignment (pushed
  // to whichever agent gets it) must be seen by the same process.
  const k = opts.oneDepartment ? 1 : config.loadgens;
  const teams = split(p.agents, k).map((a) => ({ agents: a, capacity: p.capacity }));
  const requests = split(p.requests, k);
  // A backlog waits in the (first) team's department and in departments of its own.
  const prepare = opts.backlog ? (url: string, seeded: Team[]) => seedBacklog(url, seeded[0]!, opts.backlog!) : undefined;
  const start = () => (mode === 'zentrale' ? startZentrale({ nodes: 1, cluster: opts.cluster ?? false, teams, prepare }) : startRelay(teams));
  return withTarget(start, async (target) => {
    const jobs: Job[] = target.teams.map((team, i) => ({ kind: 'burst', mode, urls: target.urls, index: i, team, requests: requests[i]!, windowMs: 1000, timeoutMs: 60_000 }));
    const out = await phase(target, jobs, 120_000, { cluster: opts.cluster ?? false });
    const rs = out.results as BurstResult[];
    const errors: Record<string, number> = {};
    for (const r of rs) for (const [e, v] of Object.entries(r.ackErrors)) errors[e] = (errors[e] ?? 0) + v;
    const assigned = rs.reduce((a, r) => a + r.assigned, 0);
    return {
      requested: p.requests,
      acked: rs.reduce((a, r) => a + r.acked, 0),
      assigned,
      allAssigned: assigned === p.requests,
      spreadMs: Math.max(...rs.map((r) => r.spreadMs)),
      assign: Histogram.from(...rs.map((r) => r.assign)).summary(),
      ack: Histogram.from(...rs.map((r) => r.ack)).summary(),
      errors,
      usage: out.usage,
    };
  });
}

// ─── backlog ───────────────────────────────────────────────────────────────────────────────────

/**
 * The same burst on an empty system and with a standing backlog, on both routing stores (one node,
 * in memory; one node in cluster mode, Redis), plus the burst to few agents of high capacity.
 * Each is run `repeats` times, the kinds taking turns, so that a busy moment of the machine does
 * not land on one kind only.
 */
async function backlogRuns(): Promise<BacklogRun[]> {
  const p = config.backlog;
  const team = { requests: p.requests, agents: p.agents, capacity: p.capacity };
  const few = { requests: p.requests, ...p.few };
  const runs: BacklogRun[] = [];
  for (const store of ['memory', 'redis'] as const) {
    const sides: Array<[BacklogRun['system'], typeof team, Backlog | undefined]> = [
      ['empty', team, undefined],
      ['backlog', team, p.waiting],
      ['few agents', few, undefined],
    ];
    for (let repeat = 1; repeat <= p.repeats; repeat++) {
      for (const [system, size, backlog] of sides) {
        if (interrupted) return runs;
        log(`backlog: ${p.requests} requests, ${size.agents} agents × ${size.capacity}, ${system}, ${store} store (${repeat}/${p.repeats})`);
        const result = await burstRun('zentrale', size, { cluster: store === 'redis', oneDepartment: true, ...(backlog ? { backlog } : {}) });
        runs.push({ store, system, repeat, agents: size.agents, capacity: size.capacity, waiting: backlog ? backlog.same + backlog.elsewhere : 0, result });
      }
    }
  }
  return runs;
}

// ─── idle ──────────────────────────────────────────────────────────────────────────────────────


const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** RSS after a full GC (see bench/lib/gcOnSignal.ts): the median of a few samples a second apart. */
async function steadyRss(pid: number): Promise<number> {
  process.kill(pid, 'SIGUSR2');
  await settle(1000);
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    samples.push(rssKb(pid) ?? 0);
    await settle(1000);
  }
  return samples.sort((a, b) => a - b)[2]!;
}

async function idleRun(mode: Mode): Promise<IdleSide> {
  const k = config.loadgens;
  const counts = split(config.idle.sockets, k);
  const start = () => (mode === 'zentrale' ? startZentrale({ nodes: 1, cluster: false, teams: [], gcHook: true }) : startRelay([], true));
  return withTarget(start, async (target) => {
    const gens = counts.map(() => new Loadgen());
    const stopGens = async () => void (await Promise.all(gens.map((g) => g.exit())));
    cleanups.add(stopGens);
    try {
      const pid = target.pids[0]!;
      await Promise.all(gens.map((g, i) => g.setup({ kind: 'idle', mode, urls: target.urls, index: i, sockets: counts[i]!, steps: 2 }, 10 * 60_000)));
      // Three readings: none, half and all sockets connected. The second half's slope excludes
      // one-time costs of the first connections (code paths warming up, pools growing).
      const before = await steadyRss(pid);
      await Promise.all(gens.map((g) => g.run(10 * 60_000)));
      await settle(2000);
      const half = await steadyRss(pid);
      const rs = (await Promise.all(gens.map((g) => g.run(10 * 60_000)))) as IdleResult[];
      await settle(2000);
      const after = await steadyRss(pid);
      const connected = rs.reduce((a, r) => a + r.connected, 0);
      const errors: Record<string, number> = {};
      for (const r of rs) for (const [e, v] of Object.entries(r.errors)) errors[e] = (errors[e] ?? 0) + v;
      const secondHalf = connected - Math.floor(connected / 2);
      return {
        sockets: config.idle.sockets,
        connected,
        rssBeforeMb: Math.round(before / 102.4) / 10,
        rssHalfMb: Math.round(half / 102.4) / 10,
        rssAfterMb: Math.round(after / 102.4) / 10,
        kbPerSocket: connected ? Math.round(((after - before) / connected) * 10) / 10 : 0,
        kbPerSocketMarginal: secondHalf > 0 ? Math.round(((after - half) / secondHalf) * 10) / 10 : 0,
        errors,
      };
    } finally {
      cleanups.delete(stopGens);
      await stopGens();
    }
  });
}

// ─── main ──────────────────────────────────────────────────────────────────────────────────────


async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const report: Report = {
    startedAt,
    finishedAt: '',
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    quick: args.quick,
    environment: await environment(),
    config,
    failures: [],
  };
  // A failing scenario is recorded and the others still run: a partial report beats none.
  const attempt = async (name: string, fn: () => Promise<void>) => {
    if (interrupted) return;
    try {
      await fn();
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      log(`${name} failed: ${message.slice(0, 2000)}`);
      report.failures.push(`${name}: ${message.slice(0, 2000)}`);
    }
  };

  if (chosen.includes('steady')) {
    report.steady = [];
    for (const rate of config.steady.rates) {
      await attempt(`steady@${rate}`, async () => {
        const p = { ...config.steady, rate };
        if (args.only) {
          // A profiling run: one side only, printed, not saved as a comparison.
          const side = await steadyRun(args.only as Mode, p);
          log(`${args.only} at ${rate} msg/s: ${JSON.stringify({ achieved: side.achievedPerSec, v2a: side.v2a, ack: side.ack, lost: side.lost, errors: side.errors, cpu: side.usage.processes.server?.cpuPercent, mariadb: side.usage.processes.mariadb?.cpuPercent })}`);
          return;
        }
        log(`steady ${p.chats} chats / ${p.agents} agents at ${rate} msg/s: zentrale`);
        const zentrale = await steadyRun('zentrale', p);
        log(`steady at ${rate} msg/s: relay`);
        const relay = await steadyRun('relay', p);
        report.steady!.push({
          rate, zentrale, relay,
          ratio: {
            achieved: ratio(zentrale.achievedPerSec, relay.achievedPerSec),
            p50: ratio(zentrale.v2a.p50, relay.v2a.p50),
            p99: ratio(zentrale.v2a.p99, relay.v2a.p99),
            cpu: ratio(zentrale.usage.processes.server?.cpuPercent, relay.usage.processes.server?.cpuPercent),
            rss: ratio(zentrale.usage.processes.server?.rssMaxMb, relay.usage.processes.server?.rssMaxMb),
          },
        });
      });
    }
  }
  if (chosen.includes('burst')) {
    await attempt('burst', async () => {
      log(`burst ${config.burst.requests} requests in 1 s: zentrale`);
      const zentrale = await burstRun('zentrale');
      log('burst: relay');
      const relay = await burstRun('relay');
      report.burst = { zentrale, relay, ratio: { p50: ratio(zentrale.assign.p50, relay.assign.p50), p99: ratio(zentrale.assign.p99, relay.assign.p99) } };
    });
  }
  if (chosen.includes('backlog')) {
    await attempt('backlog', async () => {
      const runs = await backlogRuns();
      // Median over the repeats of each kind (all of them assigned; otherwise there is no p99 to compare).
      const p99 = (store: string, system: string) => {
        const values = runs.filter((r) => r.store === store && r.system === system).map((r) => (r.result.allAssigned ? (r.result.assign.p99 ?? Infinity) : Infinity));
        return values.length ? values.sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]! : null;
      };
      const ratioOf = (store: string) => {
        const b = p99(store, 'backlog');
        const e = p99(store, 'empty');
        return b === Infinity ? null : ratio(b, e);
      };
      report.backlog = {
        requests: config.backlog.requests,
        waiting: config.backlog.waiting,
        runs,
        medianP99: Object.fromEntries(['memory', 'redis'].flatMap((store) => ['empty', 'backlog', 'few agents'].map((system) => [`${store} ${system}`, p99(store, system)]))),
        ratio: { memory: ratioOf('memory'), redis: ratioOf('redis') },
      };
    });
  }
  if (chosen.includes('idle')) {
    await attempt('idle', async () => {
      log(`idle ${config.idle.sockets} visitor sockets: zentrale`);
      const zentrale = await idleRun('zentrale');
      log('idle: relay');
      const relay = await idleRun('relay');
      report.idle = { zentrale, relay, ratio: { kbPerSocket: ratio(zentrale.kbPerSocket, relay.kbPerSocket), kbPerSocketMarginal: ratio(zentrale.kbPerSocketMarginal, relay.kbPerSocketMarginal) } };
    });
  }
  if (chosen.includes('nodes')) {
    await attempt('nodes', async () => {
      const p = config.nodes;
      log(`nodes: ${p.chats} chats at ${p.rate} msg/s offered, one node (cluster mode)`);
      const one = await steadyRun('zentrale', p, { nodes: 1, cluster: true });
      log('nodes: two nodes');
      const two = await steadyRun('zentrale', p, { nodes: 2, cluster: true });
      report.nodes = { rate: p.rate, chats: p.chats, one, two, ratio: ratio(two.achievedPerSec, one.achievedPerSec) };
    });
  }
  let voice: VoiceResult | undefined;
  if (chosen.includes('voice')) {
    await attempt('voice', async () => {
      const steps = args.calls ? args.calls.split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0) : undefined;
      voice = await runVoice({ ...(args.quick ? VOICE_QUICK : {}), ...(steps?.length ? { steps } : {}) }, log, cleanups);
      (report as Report & { voice?: VoiceResult }).voice = voice;
    });
  }

  report.finishedAt = new Date().toISOString();
  const dir = path.resolve('bench/results');
  await mkdir(dir, { recursive: true });
  const json = JSON.stringify(report, null, 2);
  const file = path.join(dir, `${startedAt.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, json);
  await writeFile(path.join(dir, 'latest.json'), json);
  process.stdout.write(printTables(report) + (voice ? printVoice(voice) : ''));
  log(`wrote ${path.relative(process.cwd(), file)} and bench/results/latest.json`);
  if (report.failures.length) process.exitCode = 1;
}

main()
  .catch((e: unknown) => {
    log(`fatal: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await cleanupAll();
    // Sockets and timers of the orchestrator itself must not keep it alive once the work is done.
    setTimeout(() => process.exit(process.exitCode ?? 0), 200).unref();
  });
