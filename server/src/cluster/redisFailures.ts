/**
 * node-redis errors that mean Redis cannot answer now (not a bug in the request): the command
 * client refuses commands while reconnecting (no offline queue), a command past its timeout, a
 * connection closed or lost. Requests that met one are answered UNAVAILABLE (toErrorResponse).
 */
const UNAVAILABLE_NAMES = new Set([
  'ClientOfflineError',
  'ClientClosedError',
  'TimeoutError',
  'SocketTimeoutError',
  'ConnectionTimeoutError',
  'SocketClosedUnexpectedlyError',
  'DisconnectsClientError',
  'ReconnectStrategyError',
  'CommandTimeoutDuringMaintenanceError',
  'SocketTimeoutDuringMaintenanceError',
]);

export function isRedisUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const { name, constructor } = e as { name?: unknown; constructor?: { name?: unknown } };
    if (UNAVAILABLE_NAMES.has(String(name)) || UNAVAILABLE_NAMES.has(String(constructor?.name))) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
