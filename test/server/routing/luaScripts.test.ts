import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RedisClientType } from 'redis';
import { createRedisRoutingStore } from '../../../server/src/routing/redis/redisRoutingStore.js';
import { composeScript, describeCompileError, LUA_DIR, loadScripts, PRELUDE_FILE, readScripts, SCRIPT_NAMES } from '../../../server/src/routing/redis/scripts.js';
import { connectTestRedis, redisAvailable, testPrefix } from '../../support/redis.js';

/**
 * The routing scripts compile with Redis's own Lua 5.1 (SCRIPT LOAD compiles without running), so
 * a syntax error fails CI naming the file, not a routing step in production.
 */
describe('routing Lua scripts', function () {
  let client: RedisClientType;
  let scratch: string | null = null;

  before(async function () {
    // Only outside CI: CI sets REQUIRE_REDIS=1 and redisAvailable() then throws instead.
    if (!(await redisAvailable())) this.skip();
    client = await connectTestRedis();
  });
  after(async () => {
    await client?.close();
  });
  afterEach(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    scratch = null;
  });

  /** A copy of the scripts with one file changed. */
  const copyWith = (file: string, change: (text: string) => string): string => {
    scratch = mkdtempSync(join(tmpdir(), 'zentrale-lua-'));
    cpSync(LUA_DIR, scratch, { recursive: true });
    writeFileSync(join(scratch, file), change(readFileSync(join(scratch, file), 'utf8')));
    return scratch;
  };

  it('every .lua file compiles in Redis, each script as it runs (after the prelude)', async () => {
    const files = readdirSync(LUA_DIR).filter((f) => f.endsWith('.lua')).sort();
    assert.ok(files.includes(PRELUDE_FILE) && files.length > 1, `scripts in ${LUA_DIR}`);
    const prelude = readFileSync(join(LUA_DIR, PRELUDE_FILE), 'utf8');
    const failures: string[] = [];
    for (const file of files) {
      // The prelude alone too: an error in it is reported once, with its own line numbers.
      const script = composeScript(file, file, readFileSync(join(LUA_DIR, file), 'utf8'), file === PRELUDE_FILE ? '' : prelude);
      await client.scriptLoad(script.source).catch((error: Error) => failures.push(describeCompileError(script, error.message)));
    }
    assert.deepEqual(failures, []);
  });

  it('the loader knows every script file, and every step has one', () => {
    const files = readdirSync(LUA_DIR).filter((f) => f.endsWith('.lua') && f !== PRELUDE_FILE).sort();
    assert.deepEqual(files, SCRIPT_NAMES.map((name) => `${name}.lua`).sort());
    assert.deepEqual(Object.keys(readScripts()).sort(), [...SCRIPT_NAMES].sort());
  });

  it('a script that does not compile fails the store at creation, naming its file and line', async () => {
    // Line 3 of accept.lua becomes invalid; Redis reports the line of prelude + script.
    const broken = copyWith('accept.lua', (text) => text.split('\n').toSpliced(2, 0, 'local = oops').join('\n'));
    await assert.rejects(createRedisRoutingStore(client, testPrefix(), { luaDir: broken }), (error: Error) => {
      assert.match(error.message, /routing script \S*accept\.lua does not compile in Redis/);
      assert.match(error.message, /accept\.lua:3: /, 'the line in the script file, not in prelude + script');
      return true;
    });
  });

  it('an error in the prelude names the prelude and fails every script', async () => {
    const broken = copyWith(PRELUDE_FILE, (text) => `${text}\nlocal function (x) end\n`);
    await assert.rejects(loadScripts(client, readScripts(broken)), (error: Error) => {
      assert.equal(error.message.split('\n').length, SCRIPT_NAMES.length, 'one line per script');
      assert.match(error.message, /prelude\.lua:\d+: /);
      return true;
    });
  });

  it('a stray .lua file, which nothing would load, is refused', () => {
    const dir = copyWith('accept.lua', (text) => text);
    writeFileSync(join(dir, 'forgotten.lua'), 'return 1\n');
    assert.throws(() => readScripts(dir), /forgotten\.lua/);
  });
});
