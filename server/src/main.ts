import { pathToFileURL } from 'node:url';
import { ConfigError, loadConfig, type Config } from './config/config.js';
import { createLogger } from './log/logger.js';
import { createZentrale, type Zentrale } from './server.js';

/** Prints where to go next, for the person who just started the server. */
export function printBanner(url: string, zentrale: Zentrale, extra: string[] = []): void {
  const lines = [
    '',
    `  zentrale is running (${zentrale.db.dialect === 'sqlite' ? `SQLite at ${zentrale.config.database.kind === 'sqlite' ? zentrale.config.database.storage : ''}` : 'MySQL/MariaDB'})`,
    `  Demo site with the chat widget:  ${url}/`,
    `  Agent console:                   ${url}/console/`,
    `  Community (customers help customers): ${url}/community/`,
  ];
  if (zentrale.setupToken) {
    lines.push(
      '',
      '  No users yet. Create the first admin here:',
      `    ${url}/console/setup?token=${zentrale.setupToken}`,
      '  or on the command line:  npm run zentrale -- create-admin --email you@example.com --name "Your Name"',
    );
  }
  const voice = zentrale.voice.pool.availability;
  lines.push(
    '',
    voice.available
      ? `  Voice calls: available (${voice.workers} mediasoup worker${voice.workers === 1 ? '' : 's'})`
      : `  Voice calls: NOT available: ${voice.reason}.${voice.fix ? `\n    To fix: ${voice.fix}.` : ''}\n    Chat works as usual.`,
  );
  if (!zentrale.outbox.enabled) {
    lines.push('', '  Mail is not configured (SMTP_URL or SMTP_HOST): ticket confirmations, replies and transcripts are not e-mailed.');
  }
  lines.push(...extra, '');
  process.stdout.write(`${lines.join('\n')}\n`);
}

export async function run(onReady?: (url: string, zentrale: Zentrale) => Promise<string[]> | string[]): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`zentrale: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger(config.logLevel);
  // Last line of defence: a library promise nobody awaited must not take the server down.
  process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled promise rejection'));
  let zentrale: Zentrale;
  try {
    zentrale = await createZentrale(config, log);
  } catch (error) {
    log.fatal({ err: error }, 'zentrale could not start');
    process.exit(1);
  }
  const url = await zentrale.listen().catch((error: unknown) => {
    log.fatal({ err: error, port: config.port }, 'could not listen');
    process.exit(1);
  });
  log.info({ url, version: process.env.npm_package_version }, 'listening');
  printBanner(url, zentrale, onReady ? await onReady(url, zentrale) : []);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    zentrale.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
