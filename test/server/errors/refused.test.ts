import assert from 'node:assert/strict';
import type { TransferRefusal } from '../../../shared/schemas/transfer.js';
import { ConflictError, RefusedError } from '../../../server/src/errors/errors.js';
import { toErrorResponse } from '../../../server/src/errors/toErrorResponse.js';
import { captureLog } from '../../support/logCapture.js';

describe('errors: a refusal with a reason', () => {
  it('is a CONFLICT (409) whose body carries the machine-readable reason, as docs/protocol.md says', () => {
    const refused = new RefusedError<TransferRefusal>('at_capacity', 'That colleague has no free slot.');
    assert.ok(refused instanceof ConflictError);
    const { status, body } = toErrorResponse(refused, captureLog().log, { event: 'transfer:request' });
    assert.equal(status, 409);
    assert.deepEqual(body, { ok: false, error: { code: 'CONFLICT', message: 'That colleague has no free slot.', reason: 'at_capacity' } });
  });

  it('takes only its feature’s reasons (the @ts-expect-error lines fail tsc once they compile)', () => {
    // @ts-expect-error: a community refusal is not a transfer refusal
    const wrong = new RefusedError<TransferRefusal>('banned', 'Banned.');
    assert.equal(wrong.toBody().reason, 'banned');
  });

  it('a plain CONFLICT has no reason at all', () => {
    assert.deepEqual(new ConflictError('Not now.').toBody(), { code: 'CONFLICT', message: 'Not now.' });
  });
});
