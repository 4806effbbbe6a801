import { readdirSync, readFileSync } from 'node:fs';

/**
 * Process and machine sampling straight from /proc, so the harness needs no pidusage-like
 * dependency. Linux only, which is where the benchmark runs.
 */

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat. It is 100 on every Linux ABI Node runs on. */
const CLK_TCK = 100;

export function rssKb(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** utime + stime of a process, in seconds. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses; fields resume after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return null;
  }
}

/** Busy and total jiffies of the whole machine (first line of /proc/stat). */
function machineJiffies(): { busy: number; total: number } {
  const parts = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = parts.reduce((a, b) => a + b, 0);
  const idle = (parts[3] ?? 0) + (parts[4] ?? 0);
  return { busy: total - idle, total };
}

/** Pids whose /proc/<pid>/comm is one of `names` (to watch MariaDB and Redis, which we did not start). */
export function pidsByComm(names: string[]): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (names.includes(readFileSync(`/proc/${entry}/comm`, 'utf8').trim())) out.push(Number(entry));
    } catch {
      // the process went away while we looked
    }
  }
  return out;
}

export interface ProcUsage {
  /** Share of one core over the window: 100 = one core fully busy. */
  cpuPercent: number | null;
  rssStartMb: number | null;
  rssEndMb: number | null;
  rssMaxMb: number | null;
}

export interface UsageReport {
  windowSeconds: number;
  /** Whole machine busy share, 100 = all cores busy. */
  machineBusyPercent: number;
  processes: Record<string, ProcUsage>;
}

const mb = (kb: number | null) => (kb === null ? null : Math.round(kb / 102.4) / 10);

/**
 * Samples RSS of the given processes every `everyMs` while a load phase runs and takes CPU time at
 * the start and end. A label may name several pids (two server nodes); their values are summed.
 */
export class Sampler {
  private start = 0;
  private cpu0 = new Map<string, number>();
  private rss0 = new Map<string, number>();
  private rssMax = new Map<string, number>();
  private machine0 = machineJiffies();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly targets: Record<string, number[]>) {}

  private sum(pids: number[], f: (pid: number) => number | null): number | null {
    let total: number | null = null;
    for (const pid of pids) {
      const v = f(pid);
      if (v !== null) total = (total ?? 0) + v;
    }
    return total;
  }

  begin(everyMs = 500): void {
    this.start = performance.now();
    this.machine0 = machineJiffies();
    for (const [label, pids] of Object.entries(this.targets)) {
      const c = this.sum(pids, cpuSeconds);
      const r = this.sum(pids, rssKb);
      if (c !== null) this.cpu0.set(label, c);
      if (r !== null) {
        this.rss0.set(label, r);
        this.rssMax.set(label, r);
      }
    }
    this.timer = setInterval(() => this.sampleRss(), everyMs);
  }

  private sampleRss(): void {
    for (const [label, pids] of Object.entries(this.targets)) {
      const r = this.sum(pids, rssKb);
      if (r !== null && r > (this.rssMax.get(label) ?? 0)) this.rssMax.set(label, r);
    }
  }

  end(): UsageReport {
    if (this.timer) clearInterval(this.timer);
    this.sampleRss();
    const seconds = (performance.now() - this.start) / 1000;
    const m1 = machineJiffies();
    const processes: Record<string, ProcUsage> = {};
    for (const [label, pids] of Object.entries(this.targets)) {
      const c1 = this.sum(pids, cpuSeconds);
      const c0 = this.cpu0.get(label);
      processes[label] = {
        cpuPercent: c1 === null || c0 === undefined || seconds <= 0 ? null : Math.round(((c1 - c0) / seconds) * 1000) / 10,
        rssStartMb: mb(this.rss0.get(label) ?? null),
        rssEndMb: mb(this.sum(pids, rssKb)),
        rssMaxMb: mb(this.rssMax.get(label) ?? null),
      };
    }
    const busy = m1.total - this.machine0.total > 0 ? ((m1.busy - this.machine0.busy) / (m1.total - this.machine0.total)) * 100 : 0;
    return { windowSeconds: Math.round(seconds * 10) / 10, machineBusyPercent: Math.round(busy * 10) / 10, processes };
  }
}
