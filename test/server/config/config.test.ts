import assert from 'node:assert/strict';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../../server/src/config/config.js';

describe('configuration from the environment', () => {
  it('runs on embedded defaults: SQLite under the data directory, no Redis', () => {
    const config = loadConfig({});
    assert.equal(config.port, 3000);
    assert.deepEqual(config.database, { kind: 'sqlite', storage: path.resolve('data', 'zentrale.sqlite') });
    assert.equal(config.redisUrl, null);
    assert.equal(config.publicUrl, 'http://localhost:3000');
    assert.equal(config.cookieSecure, false);
    assert.deepEqual(config.allowedOrigins, []);
  });

  it('selects MySQL/MariaDB from DATABASE_URL and parses the origin list', () => {
    const config = loadConfig({
      DATABASE_URL: 'mysql://zentrale:pw@db:3306/zentrale',
      ALLOWED_ORIGINS: 'https://shop.example/, https://www.shop.example:8443/path',
      PUBLIC_URL: 'https://support.example/',
    });
    assert.deepEqual(config.database, { kind: 'mysql', url: 'mysql://zentrale:pw@db:3306/zentrale' });
    assert.deepEqual(config.allowedOrigins, ['https://shop.example', 'https://www.shop.example:8443']);
    assert.equal(config.publicUrl, 'https://support.example');
    assert.equal(config.cookieSecure, true, 'https public URL means secure cookies');
  });

  it('names every wrong variable, what was given and what is expected', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'postgres://x', ALLOWED_ORIGINS: 'shop.example', LOG_LEVEL: 'loud' });
      assert.fail('should have thrown');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      const text = error.message;
      assert.match(text, /PORT \(given "eighty"\)/);
      assert.match(text, /DATABASE_URL \(given "postgres:\/\/x"\): expected mysql:\/\//);
      assert.match(text, /ALLOWED_ORIGINS/);
      assert.match(text, /LOG_LEVEL/);
      assert.equal(error.problems.length, 4);
    }
  });

  it('refuses a short SECRET_KEY', () => {
    assert.throws(() => loadConfig({ SECRET_KEY: 'short' }), /SECRET_KEY.*at least 32/);
  });
});
