/**
 * Latency histogram with logarithmic buckets (~1 % wide). Load generators run in separate
 * processes; a histogram is small, mergeable and bounded in memory no matter how many
 * messages a run sends, which raw sample arrays are not.
 */
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
/** Values are recorded in microseconds so sub-millisecond latencies keep their resolution. */
const bucketOf = (ms: number): number => Math.max(0, Math.floor(Math.log(Math.max(ms, 0) * 1000 + 1) / LOG_GROWTH));
/** Upper edge of a bucket, back in milliseconds (so percentiles err on the pessimistic side). */
const upperMs = (bucket: number): number => (Math.pow(GROWTH, bucket + 1) - 1) / 1000;

export interface HistogramData {
  counts: Record<string, number>;
  n: number;
  sum: number;
  min: number;
  max: number;
}

export class Histogram {
  private counts = new Map<number, number>();
  n = 0;
  sum = 0;
  min = Infinity;
  max = 0;

  record(ms: number): void {
    const b = bucketOf(ms);
    this.counts.set(b, (this.counts.get(b) ?? 0) + 1);
    this.n++;
    this.sum += ms;
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
  }

  merge(other: HistogramData): void {
    for (const [k, v] of Object.entries(other.counts)) this.counts.set(Number(k), (this.counts.get(Number(k)) ?? 0) + v);
    this.n += other.n;
    this.sum += other.sum;
    if (other.n > 0) {
      this.min = Math.min(this.min, other.min);
      this.max = Math.max(this.max, other.max);
    }
  }

  /** p in [0, 100]; null when nothing was recorded. */
  percentile(p: number): number | null {
    if (this.n === 0) return null;
    const rank = Math.max(1, Math.ceil((p / 100) * this.n));
    let seen = 0;
    for (const b of [...this.counts.keys()].sort((x, y) => x - y)) {
      seen += this.counts.get(b)!;
      if (seen >= rank) return Math.min(upperMs(b), this.max);
    }
    return this.max;
  }

  toJSON(): HistogramData {
    return { counts: Object.fromEntries(this.counts), n: this.n, sum: this.sum, min: this.n ? this.min : 0, max: this.max };
  }

  static from(...parts: HistogramData[]): Histogram {
    const h = new Histogram();
    for (const p of parts) h.merge(p);
    return h;
  }

  summary(): LatencySummary {
    const r = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);
    return { n: this.n, p50: r(this.percentile(50)), p90: r(this.percentile(90)), p99: r(this.percentile(99)), max: r(this.n ? this.max : null), mean: r(this.n ? this.sum / this.n : null) };
  }
}

export interface LatencySummary {
  n: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes on one machine. */
export const nowMs = (): number => performance.timeOrigin + performance.now();

export const ratio = (a: number | null | undefined, b: number | null | undefined): number | null =>
  a == null || b == null || b === 0 ? null : Math.round((a / b) * 100) / 100;
