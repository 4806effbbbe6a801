/**
 * Concurrent callers of the same read share the one in flight; a call after it settled reads
 * again. Nothing is cached beyond that, so no caller sees data older than its own call's start.
 * For reads that a burst of requests makes at once (a thousand chat starts asking who is online).
 */
export function sharedRead<K, V>(read: (key: K) => Promise<V>): (key: K) => Promise<V> {
  const inFlight = new Map<K, Promise<V>>();
  return (key) => {
    let pending = inFlight.get(key);
    if (!pending) {
      pending = read(key).finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    return pending;
  };
}
