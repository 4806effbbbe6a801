import { isTransient, type ClientAck, type ClientError } from './errors.js';
import { newClientId } from './ids.js';

/**
 * What the person wrote and the server has not confirmed yet. The client id stays the same across
 * every re-send, so the server keeps the item once however often it arrives.
 */
export interface OutboxEntry {
  clientId: string;
  createdAt: string;
  /** pending: being sent, or waiting for the connection; failed: shown with a retry action. */
  status: 'pending' | 'failed';
  error: ClientError | null;
}

/** Automatic re-sends of a request lost on the way (TIMEOUT, NETWORK) before the item shows as failed. */
export interface RetryPolicy {
  /** Sends in all, the first one included. */
  maxAttempts: number;
  /** Wait before the second send; doubles with every further one ... */
  baseDelayMs: number;
  /** ... up to this. */
  maxDelayMs: number;
}

export const RETRY_POLICY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 8_000 };

/**
 * Exponential backoff with a cap and jitter: after the n-th failed send, wait between half and all
 * of min(cap, base * 2^(n-1)), so many clients cut off at once do not all come back in step.
 */
export function retryDelay(failedSends: number, policy: RetryPolicy = RETRY_POLICY, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, failedSends - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Where the items live: the store's reactive list (Svelte `$state`), a plain array in tests. */
export interface OutboxList<T> {
  get(): T[];
  set(items: T[]): void;
}

export interface OutboxTransport<T, R> {
  /** Sends the item; null when it cannot go out now (offline): flush() sends it on the next connect. */
  send(item: T): Promise<ClientAck<R>> | null;
  /** The server confirmed the item: apply what it answered (the item is removed after this). */
  sent(item: T, data: R): void;
}

/**
 * The one outbox of the clients (widget chat and ticket comments, console chat and tickets):
 * every item has a client id; at most one send per item is under way at a time; a request lost on
 * the way is sent again after a backoff (`RETRY_POLICY`), one the server refused is shown as
 * failed at once; items waiting for the connection go out on `flush()` (call it on every
 * connect); `retry()` is the failed item's retry action. Kept small: the widget carries it.
 */
export class Outbox<T extends OutboxEntry, R> {
  readonly #list: OutboxList<T>;
  readonly #transport: OutboxTransport<T, R>;
  readonly #policy: RetryPolicy;
  readonly #inFlight = new Set<string>();
  readonly #failedSends = new Map<string, number>();
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(list: OutboxList<T>, transport: OutboxTransport<T, R>, policy = RETRY_POLICY) {
    this.#list = list;
    this.#transport = transport;
    this.#policy = policy;
  }

  /** Queues a new item (a fresh client id) and sends it. */
  add(fields: Omit<T, keyof OutboxEntry>): void {
    const clientId = newClientId();
    this.#list.set([...this.#list.get(), { ...fields, clientId, createdAt: new Date().toISOString(), status: 'pending', error: null } as T]);
    void this.#deliver(clientId);
  }

  /** The retry action of a failed item: a new round of attempts. */
  retry(clientId: string): void {
    this.#failedSends.delete(clientId);
    void this.#deliver(clientId);
  }

  /** Sends every pending item not under way (after a connect: what waited for the connection). */
  flush(): void {
    for (const item of this.#list.get()) if (item.status === 'pending') void this.#deliver(item.clientId);
  }

  /** Items the server confirmed another way (a push, a sync): they leave the outbox. */
  confirm(clientIds: readonly (string | null)[]): void {
    this.drop((item) => clientIds.includes(item.clientId));
  }

  /** Removes the items `test` picks (discarded, confirmed, or their conversation is gone). */
  drop(test: (item: T) => boolean): void {
    const items = this.#list.get();
    if (!items.some(test)) return;
    for (const item of items) if (test(item)) this.#stopTimer(item.clientId);
    this.#list.set(items.filter((item) => !test(item)));
  }

  /** Stops the scheduled re-sends (the store goes away). */
  dispose(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  #find(clientId: string): T | undefined {
    return this.#list.get().find((entry) => entry.clientId === clientId);
  }

  #stopTimer(clientId: string): void {
    clearTimeout(this.#timers.get(clientId));
    this.#timers.delete(clientId);
  }

  async #deliver(clientId: string): Promise<void> {
    const item = this.#find(clientId);
    if (!item || this.#inFlight.has(clientId)) return;
    this.#stopTimer(clientId);
    item.status = 'pending';
    item.error = null;
    const sending = this.#transport.send(item);
    if (!sending) return; // goes out with flush() on the next connect

    this.#inFlight.add(clientId);
    const result = await sending.finally(() => this.#inFlight.delete(clientId));
    if (result.ok) {
      // Applied even when the item was confirmed or discarded meanwhile: the answer is still news.
      this.#transport.sent(item, result.data);
      this.drop((entry) => entry.clientId === clientId);
      return;
    }
    const current = this.#find(clientId);
    if (!current) return;
    const failedSends = (this.#failedSends.get(clientId) ?? 0) + 1;
    this.#failedSends.set(clientId, failedSends);
    if (isTransient(result.error) && failedSends < this.#policy.maxAttempts) {
      // Lost on the way: the same client id again after a pause. Offline, flush() sends it on the next connect.
      this.#timers.set(clientId, setTimeout(() => void this.#deliver(clientId), retryDelay(failedSends, this.#policy)));
      return;
    }
    current.status = 'failed';
    current.error = result.error;
  }
}
