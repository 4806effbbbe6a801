import type { HistogramData } from './stats.js';

/**
 * What the orchestrator asks of a load generator process, and what it gets back. Jobs travel
 * over the fork() IPC channel as JSON.
 */
export type Mode = 'zentrale' | 'relay';

export interface Team {
  departmentId: number;
  /** Agent e-mails (zentrale) — the relay needs only the count. */
  emails: string[];
  password: string;
}

interface JobBase {
  mode: Mode;
  /** Server base URLs; bots are spread round-robin over them (two cluster nodes: cross-node chats). */
  urls: string[];
  /** Index of this load generator, part of every client id so ids never collide across processes. */
  index: number;
}

export interface SteadyJob extends JobBase {
  kind: 'steady';
  team: Team;
  chats: number;
  /** Messages per second this process offers, both directions together. */
  rate: number;
  warmupMs: number;
  durationMs: number;
  graceMs: number;
  /** A sender skips its turn while this many of its messages await an ack (counted as skipped). */
  maxInFlightPerChat: number;
}

export interface BurstJob extends JobBase {
  kind: 'burst';
  team: Team;
  requests: number;
  /** The requests are spread evenly over this window. */
  windowMs: number;
  timeoutMs: number;
}

export interface IdleJob extends JobBase {
  kind: 'idle';
  sockets: number;
  /** `run` connects sockets/steps more visitors per call. */
  steps: number;
}

export type Job = SteadyJob | BurstJob | IdleJob;

export interface SteadyResult {
  kind: 'steady';
  setupMs: number;
  chatsStarted: number;
  chatsAssigned: number;
  /** Counted over the measurement window (after warm-up). */
  windowMs: number;
  offered: number;
  sent: number;
  skipped: number;
  acked: number;
  ackErrors: Record<string, number>;
  delivered: number;
  /** Whole run (warm-up included), checked after the grace period. */
  totalAcked: number;
  lost: number;
  duplicated: number;
  v2a: HistogramData;
  a2v: HistogramData;
  ack: HistogramData;
  disconnects: number;
}

export interface BurstResult {
  kind: 'burst';
  requested: number;
  acked: number;
  ackErrors: Record<string, number>;
  assigned: number;
  /** Time from the first to the last request actually emitted. */
  spreadMs: number;
  assign: HistogramData;
  ack: HistogramData;
}

export interface IdleResult {
  kind: 'idle';
  connected: number;
  failed: number;
  errors: Record<string, number>;
}

export type Result = SteadyResult | BurstResult | IdleResult;

/** Parent → child. */
export type ToLoadgen = { cmd: 'setup'; job: Job } | { cmd: 'run' } | { cmd: 'exit' };
/** Child → parent. */
export type FromLoadgen = { type: 'ready' } | { type: 'result'; result: Result } | { type: 'error'; message: string };
