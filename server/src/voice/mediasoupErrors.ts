import { AppError, UnavailableError, ValidationError } from '../errors/errors.js';

/** Where in a room a mediasoup request failed: logged with the failure, never sent to the client. */
export interface MediaStep {
  step: 'createTransport' | 'connectTransport' | 'produce' | 'consume';
  roomId: string;
  peerId: string;
  /**
   * The client's own parameter object this request hands to mediasoup (`dtlsParameters`,
   * `rtpParameters`, `rtpCapabilities`), when there is one: only then can a refusal be the
   * client's mistake.
   */
  input?: string;
}

/**
 * A mediasoup request that failed for a reason that is not the client's: a bug, or the worker and
 * this process disagreeing. INTERNAL to the client; it carries the step, room and peer, so the
 * one log line toErrorResponse writes for it (with this as `err`, the cause's message and stack
 * appended) says where it happened.
 */
export class MediaFailure extends Error {
  readonly step: MediaStep['step'];
  readonly roomId: string;
  readonly peerId: string;

  constructor(at: MediaStep, cause: unknown) {
    super(`voice ${at.step} failed in room ${at.roomId}`, { cause });
    this.name = 'MediaFailure';
    this.step = at.step;
    this.roomId = at.roomId;
    this.peerId = at.peerId;
  }
}

/**
 * mediasoup's error classes, told apart by `name`: mediasoup 3 exports UnsupportedError and
 * InvalidStateError as types only (`export type *` in its types.d.ts), so there is no class to test
 * with instanceof; each sets its `name` in its constructor. Never by message text.
 */
const isMediasoup = (error: unknown, name: 'UnsupportedError' | 'InvalidStateError'): error is Error => error instanceof Error && error.name === name;

/**
 * What a failed mediasoup request means to the client, by the error's class:
 * - TypeError (mediasoup's checks of parameters, in Node or in the worker) and UnsupportedError
 *   (a codec this server does not carry), on a request that carries the client's parameters: the
 *   client's input, VALIDATION_FAILED with mediasoup's reason (docs/voice.md, "Validation").
 * - InvalidStateError: the channel to the worker closed (the worker died): UNAVAILABLE, as when
 *   voice is off; the room is being closed with `voice:removed { reason: 'unavailable' }`.
 * - the app's own errors pass as they are.
 * - anything else (the worker refusing what this process believed valid, a bug): a MediaFailure,
 *   INTERNAL to the client and logged in full by whoever answers the request.
 */
export function classifyMediaError(error: unknown, at: MediaStep): Error {
  if (error instanceof AppError) return error;
  if (at.input !== undefined && (error instanceof TypeError || isMediasoup(error, 'UnsupportedError'))) {
    return new ValidationError([{ path: '', message: `${at.input}: ${error.message}` }]);
  }
  if (isMediasoup(error, 'InvalidStateError')) return new UnavailableError('Voice is unavailable right now; try again.');
  return new MediaFailure(at, error);
}

/** Runs one mediasoup request and throws its failure classified (classifyMediaError). */
export async function mediaRequest<T>(at: MediaStep, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw classifyMediaError(error, at);
  }
}
