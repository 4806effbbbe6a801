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
      assert.match(text, /DATABASE_URL \(given value not shown\): expected mysql:\/\//, 'a URL may carry a password');
      assert.match(text, /ALLOWED_ORIGINS/);
      assert.match(text, /LOG_LEVEL/);
      assert.equal(error.problems.length, 4);
    }
  });

  it('refuses a short SECRET_KEY without printing it', () => {
    assert.throws(
      () => loadConfig({ SECRET_KEY: 'short-but-secret' }),
      (error: unknown) => error instanceof ConfigError && /SECRET_KEY.*at least 32/.test(error.message) && !error.message.includes('short-but-secret'),
    );
    assert.throws(
      () => loadConfig({ METRICS_TOKEN: 'tiny-token' }),
      (error: unknown) => error instanceof ConfigError && !error.message.includes('tiny-token'),
    );
  });

  it('a colleague has TRANSFER_TIMEOUT_SECONDS to answer a warm transfer (default 60, 10–600)', () => {
    assert.equal(loadConfig({}).routing.transferTimeoutMs, 60_000);
    assert.equal(loadConfig({ TRANSFER_TIMEOUT_SECONDS: '90' }).routing.transferTimeoutMs, 90_000);
    assert.throws(() => loadConfig({ TRANSFER_TIMEOUT_SECONDS: '5' }), /TRANSFER_TIMEOUT_SECONDS \(given "5"\)/);
  });

  it('reads SMTP from SMTP_URL or SMTP_HOST…, and runs without mail when neither is set', () => {
    const none = loadConfig({});
    assert.equal(none.mail.transport, null);
    assert.equal(none.mail.from, 'zentrale <no-reply@localhost>');
    assert.deepEqual(none.tickets, { numberPrefix: 'ZT', linkTtlDays: 180, publicRequestsPerMinute: 30, slaWarnPercent: 80 });
    assert.equal(loadConfig({ SMTP_URL: 'smtps://u:p@mail.example:465', MAIL_FROM: 'Support <s@example.com>' }).mail.transport, 'smtps://u:p@mail.example:465');
    assert.deepEqual(loadConfig({ SMTP_HOST: 'mail.example', SMTP_USER: 'u', SMTP_PASS: 'p', SMTP_SECURE: 'true' }).mail.transport, {
      host: 'mail.example',
      port: 465,
      secure: true,
      auth: { user: 'u', pass: 'p' },
    });
    assert.throws(() => loadConfig({ SMTP_HOST: 'mail.example', SMTP_USER: 'u' }), /SMTP_USER\/SMTP_PASS/);
    assert.throws(() => loadConfig({ SMTP_URL: 'http://mail.example' }), /SMTP_URL/);
    assert.throws(() => loadConfig({ TICKET_NUMBER_PREFIX: 'zt' }), /TICKET_NUMBER_PREFIX/);
  });
});
