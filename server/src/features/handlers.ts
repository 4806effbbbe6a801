import type { EventContract, PayloadOut, ResultOf } from '../../../shared/contract.js';
import type { AgentContext } from '../auth/agentUser.js';
import type { Logger } from '../log/logger.js';

export type { AgentContext };

/**
 * The shape of a feature's socket handlers. Features export handler maps per namespace; the
 * composition root hands them to the namespaces (server/src/socket/), which bind them to sockets.
 * A feature never imports the socket layer.
 */
export interface HandlerContext {
  log: Logger;
  /** Runs after the ack went out: deliveries to others follow the sender's confirmation. */
  afterAck(task: () => unknown): void;
}

/**
 * A result plus what others must hear of it once the caller has its ack (persist, ack, deliver).
 * The binder answers with `result` and then runs `deliver`.
 */
export class Delivery<R> {
  constructor(
    readonly result: R,
    readonly deliver: () => unknown,
  ) {}
}

/** Splits a service's `{ deliver, ...result }` into the ack's data and the deliveries after it. */
export function delivered<T extends { deliver: () => unknown }>(outcome: T): Delivery<Omit<T, 'deliver'>> {
  const { deliver, ...result } = outcome;
  return new Delivery(result, deliver);
}

type Answer<R> = R | Delivery<R>;

export type Handlers<C extends EventContract, Ctx> = {
  [K in keyof C]: (payload: PayloadOut<C[K]>, ctx: Ctx & HandlerContext) => Promise<Answer<ResultOf<C[K]>>> | Answer<ResultOf<C[K]>>;
};

/** A visitor's request: who (by the signed token), through which connection, from which address. */
export interface VisitorContext {
  visitorId: string;
  socketId: string;
  /** The client's address (after TRUST_PROXY), for per-address quotas. */
  address: string;
}
