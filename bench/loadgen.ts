/**
 * A load generator process, forked by bench/run.ts. Large runs use two of them so that the
 * client side (socket.io-client JSON encoding, timers) is not one event loop that saturates
 * before the server does. Protocol over IPC: setup → ready, run → result, exit.
 */
import { prepareBurst, prepareIdle, prepareSteady, type Prepared } from './lib/bots.js';
import type { FromLoadgen, ToLoadgen } from './lib/jobs.js';

if (!process.send) {
  process.stderr.write('bench/loadgen.ts is started by bench/run.ts (it needs an IPC channel)\n');
  process.exit(2);
}
const reply = (m: FromLoadgen) => process.send!(m);
let prepared: Prepared | null = null;

process.on('message', (m: ToLoadgen) => {
  void (async () => {
    try {
      if (m.cmd === 'setup') {
        const job = m.job;
        prepared = job.kind === 'steady' ? await prepareSteady(job) : job.kind === 'burst' ? await prepareBurst(job) : await prepareIdle(job);
        reply({ type: 'ready' });
      } else if (m.cmd === 'run') {
        if (!prepared) throw new Error('run before setup');
        reply({ type: 'result', result: await prepared.run() });
      } else {
        prepared?.close();
        process.exit(0);
      }
    } catch (e) {
      reply({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    }
  })();
});
// The orchestrator going away must not leave bots behind.
process.on('disconnect', () => process.exit(0));
