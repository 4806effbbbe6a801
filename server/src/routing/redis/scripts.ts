import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RedisClientType } from 'redis';

/**
 * The routing rules for Redis live as plain Lua files in ./lua/ (one per RoutingStore step, plus
 * prelude.lua with the helpers they share), so that editors, `luac -p` and reviewers see Lua, not
 * a TypeScript string. This module reads them once and loads them into Redis at start: a script
 * that does not compile stops the server then, with its file and line, not at its first use.
 */

/** Next to this module, so it holds wherever the checkout is (the server runs from source). */
export const LUA_DIR = fileURLToPath(new URL('./lua/', import.meta.url));
export const PRELUDE_FILE = 'prelude.lua';

/** One script per atomic store step; each is `lua/<name>.lua`. */
export const SCRIPT_NAMES = [
  'setDepartments',
  'setStatus',
  'connect',
  'disconnect',
  'expireGrace',
  'enqueue',
  'remove',
  'offerBatch',
  'accept',
  'decline',
  'expireOffers',
  'release',
  'expireWrapUps',
  'assign',
  'requeue',
  'requestTransfer',
  'dropTransfer',
  'expireTransfers',
  'completeTransfer',
  'moveToDepartment',
  'reassign',
  'markCall',
  'reapDeadNodes',
] as const;

export type ScriptName = (typeof SCRIPT_NAMES)[number];

export interface RoutingScript {
  name: string;
  /** The script's own file name, for messages. */
  file: string;
  /** Where it was read from. */
  dir: string;
  /** The prelude, then the script: what Redis compiles and runs. */
  source: string;
  /** How many leading lines of `source` are the prelude's: line n after them is line n − preludeLines of `file`. */
  preludeLines: number;
}

/** A routing script Redis refused to compile; the message names the file and line. */
export class ScriptCompileError extends Error {
  override name = 'ScriptCompileError';
}

const lineCount = (text: string): number => text.split('\n').length - 1;

/** Prelude + script as one chunk, with what it takes to map Redis's line numbers back to files. */
export function composeScript(name: string, file: string, body: string, prelude: string, dir: string = LUA_DIR): RoutingScript {
  const head = prelude === '' || prelude.endsWith('\n') ? prelude : `${prelude}\n`;
  return { name, file, dir, source: head + body, preludeLines: lineCount(head) };
}

/** Turns a line of the composed source into "file:line" (prelude.lua or the script's own file). */
export function sourceLine(script: RoutingScript, line: number): string {
  return line <= script.preludeLines ? `${PRELUDE_FILE}:${line}` : `${script.file}:${line - script.preludeLines}`;
}

/**
 * Redis's compile error ("user_script:12: 'end' expected (to close 'if' at line 9) near '<eof>'")
 * with every line number of the composed source replaced by the file and line it came from.
 */
export function describeCompileError(script: RoutingScript, message: string): string {
  const located = message
    .replace(/^ERR Error compiling script \(new function\): /, '')
    .replace(/user_script:(\d+):/g, (_, n: string) => `${sourceLine(script, Number(n))}:`)
    .replace(/at line (\d+)/g, (_, n: string) => `at ${sourceLine(script, Number(n))}`);
  return `routing script ${join(script.dir, script.file)} does not compile in Redis: ${located}`;
}

function readLua(dir: string, file: string): string {
  try {
    return readFileSync(join(dir, file), 'utf8');
  } catch (error) {
    throw new Error(`routing script ${file} cannot be read from ${dir}: ${(error as Error).message}`, { cause: error });
  }
}

const cache = new Map<string, Record<ScriptName, RoutingScript>>();

/**
 * Every routing script, read once per directory. A .lua file that is neither the prelude nor a
 * known script is refused: it would never be loaded, only look as if it were.
 */
export function readScripts(dir: string = LUA_DIR): Record<ScriptName, RoutingScript> {
  const cached = cache.get(dir);
  if (cached) return cached;
  const known = new Set<string>([PRELUDE_FILE, ...SCRIPT_NAMES.map((name) => `${name}.lua`)]);
  const stray = readdirSync(dir).filter((file) => file.endsWith('.lua') && !known.has(file));
  if (stray.length > 0) throw new Error(`${dir} holds Lua files no routing step uses: ${stray.join(', ')} (add them to SCRIPT_NAMES in scripts.ts)`);
  const prelude = readLua(dir, PRELUDE_FILE);
  const scripts = Object.fromEntries(
    SCRIPT_NAMES.map((name) => {
      const file = `${name}.lua`;
      return [name, composeScript(name, file, readLua(dir, file), prelude, dir)];
    }),
  ) as Record<ScriptName, RoutingScript>;
  cache.set(dir, scripts);
  return scripts;
}

/** SCRIPT LOAD of one script: Redis compiles it (its own Lua 5.1) and returns its SHA1. */
export async function loadScript(redis: RedisClientType, script: RoutingScript): Promise<string> {
  try {
    return await redis.scriptLoad(script.source);
  } catch (error) {
    const message = (error as Error).message;
    // Anything but a compile error (Redis gone, timeout) is passed on as it is.
    if (!/compil/i.test(message)) throw error;
    throw new ScriptCompileError(describeCompileError(script, message), { cause: error });
  }
}

/** Loads every script; fails naming every script that does not compile. Returns name → SHA1. */
export async function loadScripts(redis: RedisClientType, scripts: Record<ScriptName, RoutingScript> = readScripts()): Promise<Map<ScriptName, string>> {
  const results = await Promise.allSettled(SCRIPT_NAMES.map((name) => loadScript(redis, scripts[name])));
  const failed = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
  const other = failed.find((error) => !(error instanceof ScriptCompileError));
  if (other) throw other;
  if (failed.length > 0) throw new ScriptCompileError(failed.map((error) => error.message).join('\n'));
  return new Map(SCRIPT_NAMES.map((name, i) => [name, (results[i] as PromiseFulfilledResult<string>).value]));
}
