import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/config.js';
import { openDatabase } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { createLogger } from '../log/logger.js';
import { run } from '../main.js';
import { DEMO_PASSWORD, demoAccounts, seedDemo } from '../seed/demoData.js';
import { createUsers } from '../users/users.js';
import { ValidationError } from '../errors/errors.js';

const usage = `Usage: npm run zentrale -- <command> [options]

Commands:
  migrate                       apply pending database migrations
  seed                          add the demo departments and agents (idempotent)
  create-admin --email E --name N [--password P]
                                create an admin account (a strong password is generated if omitted)
  demo                          migrate, seed the demo data and start the server
  start                         start the server (same as npm start)

Configuration comes from environment variables; see README.md.`;

async function withDatabase<T>(work: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const log = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const db = await openDatabase(config, log);
  try {
    await migrate(db.sequelize, db.dialect, log);
    return await work(db);
  } finally {
    await db.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'migrate':
      await withDatabase(async () => undefined);
      process.stdout.write('Database is up to date.\n');
      return 0;
    case 'seed': {
      const { created } = await withDatabase(seedDemo);
      process.stdout.write(`Demo data: ${created} records added.\n`);
      return 0;
    }
    case 'create-admin': {
      const { values } = parseArgs({ args: rest, options: { email: { type: 'string' }, name: { type: 'string' }, password: { type: 'string' } } });
      if (!values.email || !values.name) {
        process.stderr.write('create-admin needs --email and --name\n');
        return 2;
      }
      const password = values.password ?? randomBytes(12).toString('base64url');
      const user = await withDatabase((db) =>
        createUsers(db.models).create({ email: values.email!, name: values.name!, password, role: 'admin', languages: ['de', 'en'] }),
      );
      process.stdout.write(`Admin ${user.email} created.${values.password ? '' : `\nPassword: ${password}\n(shown once; change it after signing in)`}\n`);
      return 0;
    }
    case 'demo':
      await withDatabase(seedDemo);
      await run(() => [
        '',
        `  Demo accounts (password "${DEMO_PASSWORD}"):`,
        ...demoAccounts.map((a) => `    ${a.email.padEnd(28)} ${a.name} (${a.role})`),
      ]);
      return -1; // keeps running
    case 'start':
      await run();
      return -1;
    default:
      process.stdout.write(`${usage}\n`);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    if (error instanceof ConfigError) process.stderr.write(`zentrale: ${error.message}\n`);
    else if (error instanceof ValidationError) process.stderr.write(`zentrale: ${error.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}\n`);
    else process.stderr.write(`zentrale: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
