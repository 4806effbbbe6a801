/**
 * Voice scenario: how many one-to-one calls ONE mediasoup worker carries with audio flowing.
 *
 *   npm run bench -- --scenario voice [--calls 25,50,100] [--quick]
 *
 * No browsers: every call is one router (a room, as in the server) with four PlainTransports on
 * 127.0.0.1 — two "senders", each with an Opus producer fed from this process, and two "receivers",
 * each consuming the other side's producer and sending to a local UDP sink that counts packets.
 * A single 20 ms timer sends one RTP packet per producer per tick (50 packets/s, ~100 byte
 * payload, PT 111, seq +1, timestamp +960, fixed SSRC) through a few dgram sockets.
 *
 * Per step (calls are added, never torn down between steps): warm-up, then a measured window in
 * which every packet carries the window's epoch byte; packets of that epoch are counted at the
 * sinks until a drain period after the window, so in-flight packets at either edge are neither
 * lost nor double counted. Worker CPU comes from worker.getResourceUsage() (ru_utime + ru_stime,
 * ms) over the window; the load generator's (this process's) own CPU from process.cpuUsage().
 * Stops after a step with > 1 % loss, worker CPU ≥ 90 % of a core, or a load generator that
 * could not send what it offered.
 */
import dgram from 'node:dgram';
import os from 'node:os';
import type { types as ms } from 'mediasoup';
import type { Config } from '../server/src/config/config.js';
import { createLogger } from '../server/src/log/logger.js';
import { mediasoupPackage } from '../server/src/voice/workerBinary.js';
import { startWorkerPool, type WorkerPool } from '../server/src/voice/workerPool.js';
import { Sampler } from './lib/proc.js';
import { Histogram, type LatencySummary } from './lib/stats.js';

export interface VoiceOptions {
  /** Concurrent calls per step, ascending. */
  steps: number[];
  warmupMs: number;
  windowMs: number;
  /** After the window: how long packets of the window's epoch are still counted. */
  drainMs: number;
  payloadBytes: number;
  senderSockets: number;
  sinkSockets: number;
  stopLossPercent: number;
  stopWorkerCpuPercent: number;
  portRange: { min: number; max: number };
}

export const VOICE_DEFAULTS: VoiceOptions = {
  steps: [25, 50, 100, 150, 200, 250, 300, 400, 500, 600, 700, 800],
  warmupMs: 2000,
  windowMs: 5000,
  drainMs: 500,
  payloadBytes: 100,
  senderSockets: 4,
  sinkSockets: 16,
  stopLossPercent: 1,
  stopWorkerCpuPercent: 90,
  // Below Linux's ephemeral range (where the dgram sockets land) and apart from the server's default 40000–49999.
  portRange: { min: 20000, max: 29999 },
};

export const VOICE_QUICK: Partial<VoiceOptions> = { steps: [10, 25], warmupMs: 1000, windowMs: 3000 };

export interface VoiceStep {
  calls: number;
  routers: number;
  transports: number;
  producers: number;
  consumers: number;
  windowSeconds: number;
  /** Packets per second the generator was asked to send (producers × 50). */
  offeredPps: number;
  sentPps: number;
  receivedPps: number;
  sent: number;
  received: number;
  lossPercent: number;
  /** From worker.getResourceUsage(); 100 = one core. */
  workerCpuPercent: number;
  /** From /proc/<worker pid>/stat over the same window, as a cross-check (10 ms resolution). */
  workerCpuPercentProc: number | null;
  /** Worker CPU milliseconds per second of one call (two producers, two consumers). */
  workerCpuMsPerCallSecond: number;
  /** Worker CPU microseconds per forwarded packet (one in, one out). */
  workerCpuUsPerPacket: number;
  workerMaxRssMb: number;
  /** This process: packet generator, sinks and the mediasoup channel. 100 = one core. */
  generatorCpuPercent: number;
  /** Timer firings that were due (≥ 1 tick sent) in the window, those ≥ 5 ms late, and the worst lag. */
  generatorLateTicks: number;
  generatorTicks: number;
  generatorMaxLagMs: number;
  /** Ticks skipped because the generator was > 200 ms behind (then it offered less than asked). */
  generatorSkippedTicks: number;
  machineBusyPercent: number;
  /** CPU of everything else on the machine in the window (other helpers' tests…), 100 = one core. */
  otherCpuPercent: number;
  loadAverage1m: number;
  /** Generator send → sink receive, through the worker, for packets of the window. */
  forwardMs: LatencySummary;
  setupMs: number;
}

export interface VoiceResult {
  options: VoiceOptions;
  mediasoup: string;
  workerBinary: string;
  workerPid: number;
  cores: number;
  loadAverageAtStart: number[];
  steps: VoiceStep[];
  /** Why the step series ended before its last step, or null if every step was within limits. */
  stoppedBecause: string | null;
  /** The largest step within the loss and CPU limits, with a generator that kept up. */
  maxCallsWithinLimits: number | null;
}

// ─── RTP generator and sinks ───────────────────────────────────────────────────────────────────

const TICK_MS = 20;
const SAMPLES_PER_TICK = 960; // 20 ms at 48 kHz
const OPUS_PT = 111;
const HEADER = 12;
/** Trailer at the end of every payload: epoch byte + send time (float64 ms). */
const TRAILER = 9;

interface Stream {
  ssrc: number;
  port: number;
  socket: number;
  seq: number;
  ts: number;
  /** Two buffers used alternately, so a send still queued in libuv never sees its bytes change. */
  bufs: [Buffer, Buffer];
  flip: number;
}

/** IP literals only: skip dns.lookup and its nextTick per datagram. */
const literalLookup = ((address: string, _family: unknown, cb: (err: Error | null, address: string, family: number) => void) => cb(null, address, 4)) as unknown as dgram.SocketOptions['lookup'];

class Generator {
  readonly streams: Stream[] = [];
  private senders: dgram.Socket[] = [];
  private sinks: dgram.Socket[] = [];
  readonly sinkPorts: number[] = [];
  readonly senderPorts: number[] = [];
  private timer: NodeJS.Timeout | null = null;
  private nextDue = 0;
  private epoch = 0;
  /** Counters of the epoch being measured (0: none). */
  measuring = 0;
  sent = 0;
  received = 0;
  ticks = 0;
  lateTicks = 0;
  skippedTicks = 0;
  maxLagMs = 0;
  latency = new Histogram();

  constructor(private readonly payloadBytes: number) {}

  async open(senders: number, sinks: number): Promise<void> {
    const bind = (s: dgram.Socket) => new Promise<number>((resolve, reject) => {
      s.once('error', reject);
      s.bind(0, '127.0.0.1', () => {
        s.off('error', reject);
        resolve(s.address().port);
      });
    });
    for (let i = 0; i < senders; i++) {
      const s = dgram.createSocket({ type: 'udp4', lookup: literalLookup, sendBufferSize: 4 << 20 });
      // RTCP receiver reports from the worker arrive here; a listener keeps them from piling up unread.
      s.on('message', () => undefined);
      this.senderPorts.push(await bind(s));
      this.senders.push(s);
    }
    for (let i = 0; i < sinks; i++) {
      // 4 MB is net.core.rmem_max here; a tick's burst of forwarded packets must fit while this process is busy sending.
      const s = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
      s.on('message', (msg) => this.onSink(msg));
      this.sinkPorts.push(await bind(s));
      this.sinks.push(s);
    }
  }

  private onSink(msg: Buffer): void {
    // RTCP (sender reports of the consumers) has packet types 200–206 in byte 1.
    const pt = msg[1]!;
    if (pt >= 192 && pt <= 223) return;
    if (msg.length < HEADER + TRAILER) return;
    if (msg[msg.length - TRAILER] !== this.measuring || this.measuring === 0) return;
    this.received++;
    this.latency.record(performance.now() - msg.readDoubleBE(msg.length - 8));
  }

  addStream(ssrc: number, port: number): void {
    const socket = this.streams.length % this.senders.length;
    const make = () => {
      const b = Buffer.alloc(HEADER + this.payloadBytes);
      b[0] = 0x80; // V=2, no padding, no extension, no CSRC
      b[1] = OPUS_PT;
      b.writeUInt32BE(ssrc, 8);
      for (let i = HEADER; i < b.length - TRAILER; i++) b[i] = (i * 31 + ssrc) & 0xff;
      return b;
    };
    this.streams.push({ ssrc, port, socket, seq: (ssrc * 7) & 0xffff, ts: (ssrc * 13) >>> 0, bufs: [make(), make()], flip: 0 });
  }

  private tick(): void {
    const now = performance.now();
    const epoch = this.epoch;
    let sent = 0;
    for (const s of this.streams) {
      const b = s.bufs[s.flip]!;
      s.flip ^= 1;
      s.seq = (s.seq + 1) & 0xffff;
      s.ts = (s.ts + SAMPLES_PER_TICK) >>> 0;
      b.writeUInt16BE(s.seq, 2);
      b.writeUInt32BE(s.ts, 4);
      b[b.length - TRAILER] = epoch;
      b.writeDoubleBE(now, b.length - 8);
      this.senders[s.socket]!.send(b, s.port, '127.0.0.1');
      sent++;
    }
    if (epoch !== 0 && epoch === this.measuring) this.sent += sent;
  }

  /** One timer for everything; catches up on late ticks, skips what is > 200 ms behind. */
  start(): void {
    this.nextDue = performance.now();
    const loop = () => {
      const now = performance.now();
      const lag = now - this.nextDue;
      // setTimeout has millisecond granularity and may fire a little early: then nothing is due yet.
      if (lag >= 0 && this.measuring !== 0 && this.epoch === this.measuring) {
        this.ticks++;
        if (lag >= 5) this.lateTicks++;
        if (lag > this.maxLagMs) this.maxLagMs = lag;
      }
      if (lag > 200) {
        const skip = Math.floor(lag / TICK_MS);
        if (this.measuring !== 0 && this.epoch === this.measuring) this.skippedTicks += skip;
        this.nextDue += skip * TICK_MS;
      }
      while (this.nextDue <= performance.now()) {
        this.tick();
        this.nextDue += TICK_MS;
      }
      this.timer = setTimeout(loop, Math.max(0, this.nextDue - performance.now()));
    };
    loop();
  }

  /** From the next tick on, packets carry a fresh epoch and are counted. */
  beginWindow(): void {
    this.epoch = (this.epoch % 255) + 1;
    this.measuring = this.epoch;
    this.sent = 0;
    this.received = 0;
    this.ticks = 0;
    this.lateTicks = 0;
    this.skippedTicks = 0;
    this.maxLagMs = 0;
    this.latency = new Histogram();
  }

  /** From the next tick on, packets are no longer of the measured epoch (they are still sent). */
  endWindow(): void {
    this.epoch = (this.epoch % 255) + 1;
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await Promise.all([...this.senders, ...this.sinks].map((s) => new Promise<void>((r) => s.close(() => r()))));
    this.senders = [];
    this.sinks = [];
  }
}

// ─── calls on the worker ───────────────────────────────────────────────────────────────────────

const OPUS_PARAMETERS: ms.RtpParameters = {
  codecs: [{ mimeType: 'audio/opus', payloadType: OPUS_PT, clockRate: 48000, channels: 2, parameters: { useinbandfec: 1 }, rtcpFeedback: [] }],
  encodings: [],
  headerExtensions: [],
};

interface Call {
  router: ms.Router;
}

async function createCall(pool: WorkerPool, gen: Generator, index: number, o: VoiceOptions): Promise<Call> {
  const router = await pool.createRouter();
  const listenInfo: ms.TransportListenInfo = { protocol: 'udp', ip: '127.0.0.1', portRange: o.portRange };
  const producers: ms.Producer[] = [];
  const senderPorts: number[] = [];
  const ssrcs: number[] = [];
  for (let side = 0; side < 2; side++) {
    const ssrc = (0x10000000 + index * 2 + side) >>> 0;
    const senderSocket = (index * 2 + side) % gen.senderPorts.length;
    const t = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: false });
    await t.connect({ ip: '127.0.0.1', port: gen.senderPorts[senderSocket]! });
    producers.push(await t.produce({ kind: 'audio', rtpParameters: { ...OPUS_PARAMETERS, encodings: [{ ssrc }], rtcp: { cname: `call${index}-${side}`, reducedSize: true } } }));
    senderPorts.push(t.tuple.localPort);
    ssrcs.push(ssrc);
  }
  for (let side = 0; side < 2; side++) {
    const sink = (index * 2 + side) % gen.sinkPorts.length;
    const t = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: false });
    await t.connect({ ip: '127.0.0.1', port: gen.sinkPorts[sink]! });
    // Receiver `side` hears the other side's producer.
    await t.consume({ producerId: producers[1 - side]!.id, rtpCapabilities: router.rtpCapabilities });
  }
  // Streams start only once both consumers exist, so every packet sent has somewhere to go.
  for (let side = 0; side < 2; side++) gen.addStream(ssrcs[side]!, senderPorts[side]!);
  return { router };
}

// ─── the scenario ──────────────────────────────────────────────────────────────────────────────

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;

export async function runVoice(
  overrides: Partial<VoiceOptions>,
  log: (s: string) => void,
  cleanups: Set<() => Promise<void>>,
): Promise<VoiceResult> {
  const o: VoiceOptions = { ...VOICE_DEFAULTS, ...overrides };
  const steps = [...o.steps].sort((a, b) => a - b);
  const voiceConfig: Omit<Config['voice'], 'ringMs'> = {
    enabled: true,
    workers: 1,
    listenIp: '127.0.0.1',
    announcedAddress: null,
    portMin: o.portRange.min,
    portMax: o.portRange.max,
    iceServers: [],
    logLevel: 'warn',
  };
  const pool = await startWorkerPool(voiceConfig, createLogger('warn'));
  if (!pool.availability.available) throw new Error(`voice unavailable: ${pool.availability.reason}${pool.availability.fix ? ` (${pool.availability.fix})` : ''}`);
  const gen = new Generator(o.payloadBytes);
  const stop = async () => {
    await gen.close();
    await pool.close();
  };
  cleanups.add(stop);
  try {
    const worker = pool.workers()[0]!;
    await gen.open(o.senderSockets, o.sinkSockets);
    gen.start();
    const calls: Call[] = [];
    const result: VoiceResult = {
      options: { ...o, steps },
      mediasoup: (await mediasoupPackage())?.version ?? 'unknown',
      workerBinary: pool.availability.binary,
      workerPid: worker.pid,
      cores: os.cpus().length,
      loadAverageAtStart: os.loadavg().map((v) => round(v, 2)),
      steps: [],
      stoppedBecause: null,
      maxCallsWithinLimits: null,
    };

    for (const target of steps) {
      const t0 = performance.now();
      // A few calls at a time: set-up is request/response over the worker channel.
      while (calls.length < target) {
        const batch = Math.min(10, target - calls.length);
        const base = calls.length;
        calls.push(...(await Promise.all(Array.from({ length: batch }, (_, i) => createCall(pool, gen, base + i, o)))));
      }
      const setupMs = Math.round(performance.now() - t0);
      log(`voice: ${target} calls (${target * 2} consumers) set up in ${setupMs} ms; warm-up ${o.warmupMs} ms, window ${o.windowMs} ms`);
      await settle(o.warmupMs);

      const sampler = new Sampler({ worker: [worker.pid], generator: [process.pid] });
      sampler.begin();
      const ru0 = await worker.getResourceUsage();
      const cpu0 = process.cpuUsage();
      const w0 = performance.now();
      gen.beginWindow();
      await settle(o.windowMs);
      gen.endWindow();
      const ru1 = await worker.getResourceUsage();
      const cpu1 = process.cpuUsage(cpu0);
      const seconds = (performance.now() - w0) / 1000;
      const usage = sampler.end();
      const sent = gen.sent;
      await settle(o.drainMs);
      const received = gen.received;
      gen.measuring = 0;

      const workerCpuMs = ru1.ru_utime + ru1.ru_stime - (ru0.ru_utime + ru0.ru_stime);
      const producers = calls.length * 2;
      const step: VoiceStep = {
        calls: calls.length,
        routers: calls.length,
        transports: calls.length * 4,
        producers,
        consumers: calls.length * 2,
        windowSeconds: round(seconds, 2),
        offeredPps: producers * (1000 / TICK_MS),
        sentPps: Math.round(sent / seconds),
        receivedPps: Math.round(received / seconds),
        sent,
        received,
        lossPercent: sent > 0 ? round(((sent - received) / sent) * 100, 3) : 0,
        workerCpuPercent: round(workerCpuMs / 10 / seconds),
        workerCpuPercentProc: usage.processes['worker']?.cpuPercent ?? null,
        workerCpuMsPerCallSecond: round(workerCpuMs / seconds / calls.length, 3),
        workerCpuUsPerPacket: received > 0 ? round((workerCpuMs * 1000) / received, 2) : 0,
        workerMaxRssMb: round(ru1.ru_maxrss / 1024),
        generatorCpuPercent: round((cpu1.user + cpu1.system) / 10_000 / seconds),
        generatorLateTicks: gen.lateTicks,
        generatorTicks: gen.ticks,
        generatorMaxLagMs: round(gen.maxLagMs),
        generatorSkippedTicks: gen.skippedTicks,
        machineBusyPercent: usage.machineBusyPercent,
        otherCpuPercent: 0,
        loadAverage1m: round(os.loadavg()[0]!, 2),
        forwardMs: gen.latency.summary(),
        setupMs,
      };
      step.otherCpuPercent = Math.max(0, round((step.machineBusyPercent * result.cores) - step.workerCpuPercent - step.generatorCpuPercent));
      result.steps.push(step);
      log(
        `voice ${step.calls} calls: worker ${step.workerCpuPercent} % (${step.workerCpuMsPerCallSecond} ms/call·s), loss ${step.lossPercent} % ` +
          `(${step.received}/${step.sent}), forward p99 ${step.forwardMs.p99} ms, generator ${step.generatorCpuPercent} %, others ${step.otherCpuPercent} %`,
      );

      const reasons: string[] = [];
      if (step.lossPercent > o.stopLossPercent) reasons.push(`loss ${step.lossPercent} % > ${o.stopLossPercent} %`);
      if (step.workerCpuPercent >= o.stopWorkerCpuPercent) reasons.push(`worker CPU ${step.workerCpuPercent} % ≥ ${o.stopWorkerCpuPercent} %`);
      if (step.sentPps < step.offeredPps * 0.98 || step.generatorSkippedTicks > 0) {
        reasons.push(`load generator fell behind (sent ${step.sentPps} of ${step.offeredPps} packets/s, ${step.generatorSkippedTicks} ticks skipped)`);
      }
      if (reasons.length) {
        result.stoppedBecause = `at ${step.calls} calls: ${reasons.join('; ')}`;
        log(`voice: stopping, ${result.stoppedBecause}`);
        break;
      }
      result.maxCallsWithinLimits = step.calls;
    }
    return result;
  } finally {
    cleanups.delete(stop);
    await stop();
  }
}

// ─── printed table ─────────────────────────────────────────────────────────────────────────────

export function printVoice(r: VoiceResult): string {
  const n = (v: number | null | undefined) => (v === null || v === undefined ? '–' : v.toLocaleString('en-US', { maximumFractionDigits: 3 }));
  const head = ['calls', 'consumers', 'packets/s offered / received', 'loss %', 'worker CPU % (1 core)', 'worker CPU ms per call·s', 'µs per packet', 'forward p50 / p99 ms', 'generator CPU %', 'other processes CPU %', 'load 1m'];
  const rows = r.steps.map((s) => [
    n(s.calls), n(s.consumers), `${n(s.offeredPps)} / ${n(s.receivedPps)}`, n(s.lossPercent), n(s.workerCpuPercent), n(s.workerCpuMsPerCallSecond),
    n(s.workerCpuUsPerPacket), `${n(s.forwardMs.p50)} / ${n(s.forwardMs.p99)}`, n(s.generatorCpuPercent), n(s.otherCpuPercent), n(s.loadAverage1m),
  ]);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    '',
    `### voice: one-to-one calls on one mediasoup ${r.mediasoup} worker (Opus, 50 packets/s per producer, ${r.options.windowMs / 1000} s windows)`,
    '',
    line(head),
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map(line),
    '',
    `largest step within limits: ${r.maxCallsWithinLimits ?? 'none'} calls; ${r.stoppedBecause ? `stopped ${r.stoppedBecause}` : 'no limit reached'}`,
    `load average at start: ${r.loadAverageAtStart.join(' ')} (${r.cores} cores)`,
    '',
  ].join('\n');
}
