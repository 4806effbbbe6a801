import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createStickyProxy } from './stickyProxy.js';

/**
 * `npm run cluster -- --nodes 3 --port 3000`: starts N zentrale nodes on ports after --port and a
 * sticky proxy on --port in front of them, for trying a cluster on one machine. Needs the same
 * environment as a real cluster: DATABASE_URL (MySQL/MariaDB), REDIS_URL and SECRET_KEY.
 */
const { values } = parseArgs({ options: { nodes: { type: 'string', default: '2' }, port: { type: 'string', default: '3000' } } });
const count = Number(values.nodes);
const port = Number(values.port);
const missing = ['DATABASE_URL', 'REDIS_URL', 'SECRET_KEY'].filter((name) => !process.env[name]);
if (!Number.isInteger(count) || count < 1 || count > 16 || !Number.isInteger(port)) {
  process.stderr.write('usage: npm run cluster -- --nodes N (1-16) --port P\n');
  process.exit(2);
}
if (missing.length) {
  process.stderr.write(
    `zentrale cluster: set ${missing.join(', ')} (a cluster shares one MySQL/MariaDB database, one Redis and one secret), e.g.\n` +
      '  DATABASE_URL=mysql://root@127.0.0.1:3306/zentrale REDIS_URL=redis://127.0.0.1:6379 SECRET_KEY=$(openssl rand -hex 32) npm run cluster -- --nodes 3\n',
  );
  process.exit(2);
}

const main = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'main.ts');
const publicUrl = process.env.PUBLIC_URL ?? `http://localhost:${port}`;
const children: ChildProcess[] = [];
const backends: string[] = [];
for (let i = 0; i < count; i++) {
  const nodePort = port + 1 + i;
  backends.push(`http://127.0.0.1:${nodePort}`);
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: { ...process.env, PORT: String(nodePort), HOST: '127.0.0.1', PUBLIC_URL: publicUrl, NODE_ID: `node-${i + 1}` },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.on('exit', (code, signal) => process.stderr.write(`node-${i + 1} exited (${signal ?? code})\n`));
  children.push(child);
}
const proxy = createStickyProxy(backends);
proxy.server.listen(port, () => process.stdout.write(`\n  zentrale cluster: ${count} nodes behind a sticky proxy at ${publicUrl}\n\n`));

const stop = () => {
  for (const child of children) child.kill('SIGTERM');
  void proxy.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
