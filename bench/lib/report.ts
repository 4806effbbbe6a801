import type { UsageReport } from './proc.js';
import type { LatencySummary } from './stats.js';
import type { Environment } from './environment.js';

/** Shapes of bench/results/*.json, and the tables printed from them (Markdown, for docs/performance.md). */

export interface SteadySide {
  chats: number;
  offeredPerSec: number;
  achievedPerSec: number;
  ackedPerSec: number;
  skipped: number;
  lost: number;
  duplicated: number;
  totalAcked: number;
  v2a: LatencySummary;
  a2v: LatencySummary;
  ack: LatencySummary;
  errors: Record<string, number>;
  disconnects: number;
  usage: UsageReport;
}

export interface BurstSide {
  requested: number;
  acked: number;
  assigned: number;
  allAssigned: boolean;
  spreadMs: number;
  assign: LatencySummary;
  ack: LatencySummary;
  errors: Record<string, number>;
  usage: UsageReport;
}

/** One burst of the backlog scenario: which store, which system state, how many agents. */
export interface BacklogRun {
  store: 'memory' | 'redis';
  system: 'empty' | 'backlog' | 'few agents';
  /** 1, 2, …: the kinds take turns. */
  repeat: number;
  agents: number;
  capacity: number;
  /** Chats already waiting (that nobody online can serve) when the burst starts. */
  waiting: number;
  result: BurstSide;
}

export interface IdleSide {
  sockets: number;
  connected: number;
  rssBeforeMb: number;
  rssHalfMb: number;
  rssAfterMb: number;
  /** (RSS with all − RSS with none) / sockets. */
  kbPerSocket: number;
  /** (RSS with all − RSS with half) / second half: the cost of one more socket. */
  kbPerSocketMarginal: number;
  errors: Record<string, number>;
}

export interface Report {
  startedAt: string;
  finishedAt: string;
  command: string;
  quick: boolean;
  environment: Environment;
  config: unknown;
  steady?: { rate: number; zentrale: SteadySide; relay: SteadySide; ratio: Record<string, number | null> }[];
  burst?: { zentrale: BurstSide; relay: BurstSide; ratio: Record<string, number | null> };
  idle?: { zentrale: IdleSide; relay: IdleSide; ratio: Record<string, number | null> };
  backlog?: {
    requests: number;
    waiting: { same: number; elsewhere: number; departments: number };
    runs: BacklogRun[];
    /** "store system" → median p99 over the repeats (Infinity: a repeat left chats unassigned). */
    medianP99: Record<string, number | null>;
    /** Median p99 with the backlog / median p99 empty. */
    ratio: { memory: number | null; redis: number | null };
  };
  nodes?: { rate: number; chats: number; one: SteadySide; two: SteadySide; ratio: number | null };
  failures: string[];
}

type Cell = string | number | null | undefined;
const fmt = (v: Cell, unit = ''): string => (v === null || v === undefined ? '–' : `${typeof v === 'number' ? v.toLocaleString('en-US', { maximumFractionDigits: 2 }) : v}${unit}`);
const ratioCell = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : `${v.toFixed(2)}×`);

function table(head: string[], rows: Cell[][]): string {
  const line = (cells: Cell[]) => `| ${cells.map((c) => fmt(c)).join(' | ')} |`;
  return [line(head), `|${head.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

const cpu = (u: UsageReport, label: string) => u.processes[label]?.cpuPercent;
const rssMax = (u: UsageReport, label: string) => u.processes[label]?.rssMaxMb;
const errorsOf = (e: Record<string, number>) => Object.entries(e).map(([k, v]) => `${k} ×${v}`).join('; ') || 'none';

export function printTables(r: Report): string {
  const out: string[] = [`\nzentrale benchmark ${r.startedAt}${r.quick ? ' (--quick)' : ''}`, `command: ${r.command}`, ''];
  for (const s of r.steady ?? []) {
    const z = s.zentrale;
    const b = s.relay;
    const target = s.rate <= 2000 ? { p99: '≤ 25 ms', lost: '0' } : { p99: '≤ 100 ms (sustained ≥ 10,000 msg/s)', lost: '0' };
    out.push(`### steady: ${z.chats} chats, offered ${s.rate.toLocaleString('en-US')} msg/s`, '');
    out.push(
      table(['', 'zentrale', 'relay', 'zentrale/relay', 'target'], [
        ['chats with an agent', z.chats, b.chats, null, null],
        ['offered msg/s (window)', z.offeredPerSec, b.offeredPerSec, null, s.rate],
        ['achieved msg/s (delivered)', z.achievedPerSec, b.achievedPerSec, ratioCell(s.ratio.achieved), s.rate >= 10_000 ? '≥ 10,000' : null],
        ['visitor→agent p50 ms', z.v2a.p50, b.v2a.p50, ratioCell(s.ratio.p50), null],
        ['visitor→agent p99 ms', z.v2a.p99, b.v2a.p99, ratioCell(s.ratio.p99), target.p99],
        ['visitor→agent max ms', z.v2a.max, b.v2a.max, null, null],
        ['agent→visitor p50 / p99 ms', `${fmt(z.a2v.p50)} / ${fmt(z.a2v.p99)}`, `${fmt(b.a2v.p50)} / ${fmt(b.a2v.p99)}`, null, null],
        ['send→ack p50 / p99 ms', `${fmt(z.ack.p50)} / ${fmt(z.ack.p99)}`, `${fmt(b.ack.p50)} / ${fmt(b.ack.p99)}`, null, null],
        ['acked (whole run)', z.totalAcked, b.totalAcked, null, null],
        ['lost (acked, never delivered)', z.lost, b.lost, null, target.lost],
        ['duplicated', z.duplicated, b.duplicated, null, '0'],
        ['skipped (sender backlog ≥ cap)', z.skipped, b.skipped, null, null],
        ['server CPU % (100 = 1 core)', cpu(z.usage, 'server'), cpu(b.usage, 'server'), ratioCell(s.ratio.cpu), null],
        ['server RSS max MB', rssMax(z.usage, 'server'), rssMax(b.usage, 'server'), ratioCell(s.ratio.rss), null],
        ['MariaDB CPU %', cpu(z.usage, 'mariadb'), cpu(b.usage, 'mariadb'), null, null],
        ['load generators CPU %', cpu(z.usage, 'loadgens'), cpu(b.usage, 'loadgens'), null, null],
        ['machine busy % (all cores)', z.usage.machineBusyPercent, b.usage.machineBusyPercent, null, null],
      ]),
      '',
      `errors: zentrale ${errorsOf(z.errors)}; relay ${errorsOf(b.errors)}`,
      '',
    );
  }
  if (r.burst) {
    const z = r.burst.zentrale;
    const b = r.burst.relay;
    out.push(`### burst: ${z.requested.toLocaleString('en-US')} chat requests within 1 s`, '');
    out.push(
      table(['', 'zentrale', 'relay', 'zentrale/relay', 'target'], [
        ['requests emitted over (ms)', z.spreadMs, b.spreadMs, null, '≤ 1000'],
        ['acked', z.acked, b.acked, null, null],
        ['assigned', z.assigned, b.assigned, null, z.requested],
        ['all assigned', z.allAssigned ? 'yes' : 'no', b.allAssigned ? 'yes' : 'no', null, 'yes'],
        ['request→assigned p50 ms', z.assign.p50, b.assign.p50, ratioCell(r.burst.ratio.p50), null],
        ['request→assigned p99 ms', z.assign.p99, b.assign.p99, ratioCell(r.burst.ratio.p99), '≤ 100'],
        ['request→assigned max ms', z.assign.max, b.assign.max, null, null],
        ['request→ack p50 / p99 ms', `${fmt(z.ack.p50)} / ${fmt(z.ack.p99)}`, `${fmt(b.ack.p50)} / ${fmt(b.ack.p99)}`, null, null],
        ['server CPU % during burst phase', cpu(z.usage, 'server'), cpu(b.usage, 'server'), null, null],
      ]),
      '',
      `errors: zentrale ${errorsOf(z.errors)}; relay ${errorsOf(b.errors)}`,
      '',
    );
  }
  if (r.backlog) {
    const b = r.backlog;
    out.push(
      `### backlog: ${b.requests.toLocaleString('en-US')} chat requests within 1 s, with ${(b.waiting.same + b.waiting.elsewhere).toLocaleString('en-US')} already waiting (${b.waiting.same.toLocaleString('en-US')} in the same department) and without`,
      '',
    );
    out.push(
      table(['store', 'system', 'run', 'agents × capacity', 'waiting before', 'assigned', 'request→assigned p50 ms', 'p99 ms', 'max ms', 'request→ack p50 / p99 ms', 'server CPU %', 'Redis CPU %', 'load generator CPU %'], b.runs.map((run) => [
        run.store,
        run.system,
        run.repeat,
        `${run.agents} × ${run.capacity}`,
        run.waiting,
        `${run.result.assigned} / ${run.result.requested}`,
        run.result.assign.p50,
        run.result.assign.p99,
        run.result.assign.max,
        `${fmt(run.result.ack.p50)} / ${fmt(run.result.ack.p99)}`,
        cpu(run.result.usage, 'server'),
        cpu(run.result.usage, 'redis'),
        cpu(run.result.usage, 'loadgens'),
      ])),
      '',
      `median p99 ms: ${Object.entries(b.medianP99).map(([k, v]) => `${k} ${fmt(v)}`).join('; ')}`,
      '',
      `median p99 with the backlog / median p99 empty (target ≤ 2×): memory ${ratioCell(b.ratio.memory)}, redis ${ratioCell(b.ratio.redis)}`,
      '',
      ...b.runs.filter((run) => Object.keys(run.result.errors).length).map((run) => `errors (${run.store}, ${run.system}): ${errorsOf(run.result.errors)}`),
      '',
    );
  }
  if (r.idle) {
    const z = r.idle.zentrale;
    const b = r.idle.relay;
    out.push(`### idle: ${z.sockets.toLocaleString('en-US')} idle visitor sockets`, '');
    out.push(
      table(['', 'zentrale', 'relay', 'zentrale/relay', 'target'], [
        ['connected', z.connected, b.connected, null, z.sockets],
        ['server RSS before MB', z.rssBeforeMb, b.rssBeforeMb, null, null],
        ['server RSS with half MB', z.rssHalfMb, b.rssHalfMb, null, null],
        ['server RSS with all MB', z.rssAfterMb, b.rssAfterMb, null, null],
        ['RSS per socket KB (all − none) / all', z.kbPerSocket, b.kbPerSocket, ratioCell(r.idle.ratio.kbPerSocket), '≤ 60'],
        ['RSS per socket KB, second half only', z.kbPerSocketMarginal, b.kbPerSocketMarginal, ratioCell(r.idle.ratio.kbPerSocketMarginal), '≤ 60'],
      ]),
      '',
    );
  }
  if (r.nodes) {
    const o = r.nodes.one;
    const t = r.nodes.two;
    out.push(`### nodes: ${r.nodes.chats.toLocaleString('en-US')} chats, offered ${r.nodes.rate.toLocaleString('en-US')} msg/s, cluster mode (Redis)`, '');
    out.push(
      table(['', 'one node', 'two nodes', 'two/one', 'target'], [
        ['achieved msg/s (delivered)', o.achievedPerSec, t.achievedPerSec, ratioCell(r.nodes.ratio), '≥ 1.6×'],
        ['visitor→agent p50 ms', o.v2a.p50, t.v2a.p50, null, null],
        ['visitor→agent p99 ms', o.v2a.p99, t.v2a.p99, null, null],
        ['lost / duplicated', `${o.lost} / ${o.duplicated}`, `${t.lost} / ${t.duplicated}`, null, '0 / 0'],
        ['skipped (sender backlog ≥ cap)', o.skipped, t.skipped, null, null],
        ['server CPU % (sum of nodes)', cpu(o.usage, 'server'), cpu(t.usage, 'server'), null, null],
        ['MariaDB CPU %', cpu(o.usage, 'mariadb'), cpu(t.usage, 'mariadb'), null, null],
        ['Redis CPU %', cpu(o.usage, 'redis'), cpu(t.usage, 'redis'), null, null],
        ['load generators CPU %', cpu(o.usage, 'loadgens'), cpu(t.usage, 'loadgens'), null, null],
        ['machine busy %', o.usage.machineBusyPercent, t.usage.machineBusyPercent, null, null],
      ]),
      '',
      `errors: one ${errorsOf(o.errors)}; two ${errorsOf(t.errors)}`,
      '',
    );
  }
  if (r.failures.length) out.push('### failures', '', ...r.failures.map((f) => `- ${f}`), '');
  return `${out.join('\n')}\n`;
}
