import type { DomainFacts, FactType } from '../../../shared/facts.js';
import type { Logger } from '../log/logger.js';

export type FactHandler<K extends FactType> = (fact: DomainFacts[K]) => unknown;

/**
 * The event spine: services publish what happened, subscribers react. One bus per process.
 *
 * Handlers run synchronously, in the order they subscribed, inside `publish`: a push published
 * after a store step leaves in that order, as the direct calls did. A handler that throws or
 * rejects is logged with the fact's type and never stops the others or the publisher.
 */
export interface Bus {
  /** Resolves once every handler's returned promise has settled (callers that must wait for a side effect await it). */
  publish<K extends FactType>(type: K, fact: DomainFacts[K]): Promise<void>;
  /** Returns the unsubscribe function. */
  on<K extends FactType>(type: K, handler: FactHandler<K>): () => void;
}

export function createBus(log: Logger): Bus {
  const handlers = new Map<FactType, Array<FactHandler<FactType>>>();
  const failed = (type: FactType, error: unknown) => log.error({ err: error, fact: type }, 'a subscriber failed on a fact');

  return {
    publish(type, fact) {
      const list = handlers.get(type);
      if (!list?.length) return Promise.resolve();
      const pending: Array<Promise<unknown>> = [];
      // A copy: a handler that unsubscribes (or subscribes) does not change this round.
      for (const handler of [...list]) {
        try {
          const result = (handler as FactHandler<typeof type>)(fact);
          if (result instanceof Promise) pending.push(result.catch((error: unknown) => failed(type, error)));
        } catch (error) {
          failed(type, error);
        }
      }
      return pending.length ? Promise.all(pending).then(() => undefined) : Promise.resolve();
    },
    on(type, handler) {
      const list = handlers.get(type) ?? [];
      list.push(handler as FactHandler<FactType>);
      handlers.set(type, list);
      return () => {
        const current = handlers.get(type);
        if (current) handlers.set(type, current.filter((h) => h !== handler));
      };
    },
  };
}
