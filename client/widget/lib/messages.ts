export { highestId, languageName, mergeMessages } from '../../lib/messages.js';

/**
 * Input limits from shared/limits.ts, which the schemas use too (not from shared/schemas: those
 * build zod schemas at load time, and the widget must stay free of zod to keep its size budget).
 * The server validates anyway; these power the friendly client-side hints.
 */
export { EMAIL_PATTERN, MESSAGE_MAX_LENGTH, NAME_MAX_LENGTH, REFERENCE_MAX_LENGTH, SUBJECT_MAX_LENGTH } from '../../../shared/limits.js';

