import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { createVisitorTokens } from '../../../server/src/auth/visitorTokens.js';

const key = new TextEncoder().encode('k'.repeat(48));

describe('visitor tokens', () => {
  const tokens = createVisitorTokens(key, 30);

  it('round-trips a visitor id', async () => {
    assert.equal(await tokens.verify(await tokens.issue('visitor-1')), 'visitor-1');
  });

  it('rejects tokens signed with another key, tampered, expired or meant for another audience', async () => {
    const other = createVisitorTokens(new TextEncoder().encode('x'.repeat(48)), 30);
    assert.equal(await tokens.verify(await other.issue('visitor-1')), null);
    const good = await tokens.issue('visitor-1');
    const [h, , s] = good.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ sub: 'visitor-2', iss: 'zentrale', aud: 'zentrale:visitor' })).toString('base64url');
    assert.equal(await tokens.verify(`${h}.${forgedPayload}.${s}`), null);
    const expired = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('v').setIssuer('zentrale').setAudience('zentrale:visitor').setExpirationTime(Math.floor(Date.now() / 1000) - 10).sign(key);
    assert.equal(await tokens.verify(expired), null);
    const agentAudience = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('v').setIssuer('zentrale').setAudience('zentrale:agent').setExpirationTime('1h').sign(key);
    assert.equal(await tokens.verify(agentAudience), null);
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${forgedPayload}.`;
    assert.equal(await tokens.verify(unsigned), null);
    assert.equal(await tokens.verify(''), null);
  });
});
