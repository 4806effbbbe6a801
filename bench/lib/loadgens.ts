import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { FromLoadgen, Job, Result } from './jobs.js';
import { children, stopProcess } from './servers.js';

const LOADGEN = path.resolve('bench/loadgen.ts');

/** A forked load generator with a strictly sequential request/reply conversation over IPC. */
export class Loadgen {
  readonly child: ChildProcess;
  private inbox: FromLoadgen[] = [];
  private waiter: ((m: FromLoadgen) => void) | null = null;
  private stderr = '';

  constructor() {
    this.child = fork(LOADGEN, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
    children.add(this.child);
    this.child.once('exit', () => children.delete(this.child));
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-5000)));
    this.child.on('message', (m: FromLoadgen) => {
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = null;
        w(m);
      } else this.inbox.push(m);
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  private next(timeoutMs: number, what: string): Promise<FromLoadgen> {
    const queued = this.inbox.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`loadgen exited (${code}) during ${what}: ${this.stderr}`));
      const timer = setTimeout(() => {
        this.waiter = null;
        this.child.off('exit', onExit);
        reject(new Error(`loadgen: no answer to ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.child.once('exit', onExit);
      this.waiter = (m) => {
        clearTimeout(timer);
        this.child.off('exit', onExit);
        if (m.type === 'error') reject(new Error(`loadgen ${what}: ${m.message}`));
        else resolve(m);
      };
    });
  }

  async setup(job: Job, timeoutMs: number): Promise<void> {
    this.child.send({ cmd: 'setup', job });
    await this.next(timeoutMs, 'setup');
  }

  async run(timeoutMs: number): Promise<Result> {
    this.child.send({ cmd: 'run' });
    const m = await this.next(timeoutMs, 'run');
    if (m.type !== 'result') throw new Error(`loadgen: unexpected ${m.type}`);
    return m.result;
  }

  async exit(): Promise<void> {
    if (this.child.connected) this.child.send({ cmd: 'exit' });
    const exited = new Promise((r) => this.child.once('exit', r));
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    await stopProcess(this.child);
  }
}
