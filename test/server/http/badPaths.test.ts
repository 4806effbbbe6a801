import assert from 'node:assert/strict';
import { captureLog } from '../../support/logCapture.js';
import { startTestServer, type TestServer } from '../../support/server.js';

/** Paths nobody should send, as scanners do: each answered as the client's mistake, none logged as a server error. */
describe('HTTP: bad and missing paths are the client’s mistake', () => {
  let server: TestServer;
  const captured = captureLog();
  before(async () => {
    server = await startTestServer({ log: captured.log });
  });
  after(() => server.close());

  async function get(path: string) {
    const res = await fetch(server.baseUrl + path);
    const text = await res.text();
    type Body = { ok: boolean; error?: { code: string; message: string } };
    let body: Body | null = null;
    try {
      body = JSON.parse(text) as Body;
    } catch {
      // Not JSON: the caller's assertions on `body` fail.
    }
    return { status: res.status, text, body };
  }

  const cases: Array<[path: string, status: number, code: string]> = [
    ['/assets/does-not-exist.js', 404, 'NOT_FOUND'],
    ['/assets/..%2f..%2fpackage.json', 403, 'FORBIDDEN'],
    ['/assets/..%2F..%2F..%2Fetc%2Fpasswd', 403, 'FORBIDDEN'],
    ['/assets/%E0%A4%A', 400, 'VALIDATION_FAILED'],
    ['/console/%E0%A4%A', 400, 'VALIDATION_FAILED'],
    ['/api/users/%E0%A4%A/memberships', 400, 'VALIDATION_FAILED'],
  ];
  for (const [path, status, code] of cases) {
    it(`${path} → ${status} ${code}, nothing leaked, no error logged`, async () => {
      const before = captured.lines.length;
      const res = await get(path);
      assert.equal(res.status, status, res.text);
      assert.equal(res.body?.ok, false);
      assert.equal(res.body?.error?.code, code);
      assert.doesNotMatch(res.text, /"name":\s*"zentrale"|root:x:0|\/work\/|node_modules|at .*\(/, 'no file content, path or stack');
      const logged = captured.lines.slice(before);
      assert.deepEqual(logged.filter((l) => l.level >= 50), [], 'no error log');
      assert.ok(logged.some((l) => l.msg === 'request refused' && l.code === code), 'logged as a refused request');
    });
  }

  it('still serves what exists', async () => {
    const page = await get('/console/');
    assert.equal(page.status, 200);
    const asset = /\/assets\/[^"']+\.js/.exec(page.text)?.[0];
    assert.ok(asset, 'the console page links a hashed asset');
    assert.equal((await fetch(server.baseUrl + asset)).status, 200);
  });
});
