import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log/logger.js';

/**
 * The key that signs visitor tokens. Configured (SECRET_KEY) on clusters so every node agrees;
 * on a single embedded install it is made once and kept in the data directory.
 */
export async function resolveSecretKey(configured: string | null, dataDir: string, log: Logger): Promise<Uint8Array> {
  if (configured) return new TextEncoder().encode(configured);
  const file = path.join(dataDir, 'secret.key');
  try {
    const existing = (await fs.readFile(file, 'utf8')).trim();
    if (existing.length >= 32) return new TextEncoder().encode(existing);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await fs.mkdir(dataDir, { recursive: true });
  const made = randomBytes(48).toString('base64url');
  await fs.writeFile(file, made, { mode: 0o600, flag: 'wx' }).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error; // another process made it first: use theirs
  });
  log.info({ file }, 'SECRET_KEY not set: using a key kept in the data directory (set SECRET_KEY when running several nodes)');
  return new TextEncoder().encode((await fs.readFile(file, 'utf8')).trim());
}
