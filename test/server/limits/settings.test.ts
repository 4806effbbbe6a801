import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../../server/src/config/config.js';

describe('quota settings from the environment', () => {
  it('has the documented defaults (docs/limits.md)', () => {
    const { quotas } = loadConfig({});
    assert.deepEqual(
      [quotas.sessionsPerAddressPer10Min, quotas.sessionsPer10Min, quotas.openChatsPerAddress, quotas.chatStartsPerAddressPer10Min, quotas.chatStartsPer10Min],
      [60, 6000, 10, 30, 3000],
    );
    assert.deepEqual([quotas.ticketsPerVisitorPerHour, quotas.ticketsPerAddressPerHour, quotas.ticketsPerHour], [5, 30, 1000]);
    const MiB = 1024 * 1024;
    assert.deepEqual(
      [quotas.attachmentBytesPerConversation, quotas.attachmentBytesPerVisitorPerDay, quotas.attachmentBytesPerAddressPerDay, quotas.attachmentBytesPerDay],
      [25 * MiB, 50 * MiB, 200 * MiB, 2048 * MiB],
    );
    assert.deepEqual([quotas.voicemailsPerVisitorPerHour, quotas.voicemailsPerAddressPerHour, quotas.voicemailBytesPerAddressPerDay, quotas.voicemailBytesPerDay], [3, 20, 50 * MiB, 1024 * MiB]);
    assert.deepEqual([quotas.mailsPerRecipientPerDay, quotas.mailsPerVisitorPerDay, quotas.mailsPerAddressPerDay, quotas.mailsPerDay], [3, 5, 30, 1000]);
  });

  it('refuses a byte budget below the largest single file, which would refuse every such file', () => {
    assert.throws(() => loadConfig({ ATTACHMENT_BYTES_PER_CONVERSATION: '5000000' }), (e: unknown) => e instanceof ConfigError && /ATTACHMENT_BYTES_PER_CONVERSATION.*ATTACHMENT_MAX_BYTES/.test(e.message));
    assert.throws(() => loadConfig({ VOICEMAIL_BYTES_PER_DAY: '1000000' }), (e: unknown) => e instanceof ConfigError && /VOICEMAIL_BYTES_PER_DAY/.test(e.message));
    assert.equal(loadConfig({ ATTACHMENT_MAX_BYTES: '4096', ATTACHMENT_BYTES_PER_CONVERSATION: '6000' }).quotas.attachmentBytesPerConversation, 6000);
  });
});
