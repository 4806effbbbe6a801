import type { AgentStatus, AwayReason } from '../../../shared/schemas/presence.js';
import type { CallMark, AgentProfile, AgentRuntime, ChatRequest, ChatRoute, DepartmentRouting, Moved, OfferMade, PendingTransfer, QueuedView, Reassigned, TransferAsk, TransferStart } from './types.js';

/**
 * All state that routing, presence and the queue depend on. Every method is one atomic step: two
 * callers (two events, two nodes) can never both offer the same chat or fill the same slot. The
 * in-memory store serves one node; the Redis store (same contract, same test suite) a cluster.
 * Times are epoch milliseconds passed in by the caller, so tests control the clock.
 */
export interface RoutingStore {
  /** Department settings; waiting chats of changed departments are filed again for their widening at `now`. */
  setDepartments(departments: DepartmentRouting[], now: number): Promise<void>;
  setAgentProfile(profile: AgentProfile): Promise<void>;
  agentProfile(agentId: number): Promise<AgentProfile | null>;

  /** Chosen status; becoming available restarts the idle clock. */
  setStatus(agentId: number, status: AgentStatus, reason: AwayReason | null, now: number): Promise<AgentRuntime>;
  /** A console connection opened: the agent is present (ends any grace period). */
  connect(agentId: number, connectionId: string, now: number): Promise<AgentRuntime>;
  /** A console connection closed; with none left the agent stays present for `graceMs`. */
  disconnect(agentId: number, connectionId: string, now: number, graceMs: number): Promise<AgentRuntime>;
  /**
   * Agents whose grace period ran out: they become offline, their pending offer is withdrawn and
   * their active chats go back to the queue (keeping their waiting time).
   */
  expireGrace(now: number): Promise<Array<{ agent: AgentRuntime; withdrawnOffer: string | null; requeued: string[] }>>;

  /** Adds a chat to its department's queue; false when it is already known. */
  enqueue(request: ChatRequest, now: number): Promise<boolean>;
  /** Forgets a chat (it ended or became a ticket). Frees an offered or assigned slot without wrap-up. */
  remove(conversationId: string): Promise<ChatRoute | null>;
  /** One offer: `offerBatch(now, 1)`. */
  offerNext(now: number): Promise<OfferMade | null>;
  /**
   * Up to `limit` offers in one atomic step, each made as if alone: the first waiting chat (queue
   * order) that has an eligible agent goes to the best of them, then the next. An auto-accepting
   * agent's chat is assigned in the same step (`autoAccept`, route state `assigned`), so such an
   * agent with free slots can take several chats in one pass; everyone else holds one offer at a
   * time. Its cost follows the groups of waiting chats and the agents, not the number waiting.
   */
  offerBatch(now: number, limit: number): Promise<OfferMade[]>;
  /** The offered agent takes the chat. Fails unless the chat is offered to exactly this agent. */
  accept(conversationId: string, agentId: number, now: number): Promise<ChatRoute | null>;
  /** The offered agent declines: the chat waits again, not offered to this agent for `excludeMs`. */
  decline(conversationId: string, agentId: number, now: number, excludeMs: number): Promise<ChatRoute | null>;
  /** Offers past their deadline go back to the queue, each missed by its agent. */
  expireOffers(now: number, excludeMs: number): Promise<Array<{ route: ChatRoute; agentId: number }>>;
  /** An assigned chat ended: its slot stays blocked for the department's wrap-up time. */
  release(conversationId: string, now: number): Promise<ChatRoute | null>;
  /** Agents whose wrap-up ended and so gained capacity. */
  expireWrapUps(now: number): Promise<number[]>;
  /** Puts a chat straight with an agent (restoring state after a restart, supervisor assignment). */
  assign(request: ChatRequest, agentId: number, now: number): Promise<void>;
  /** Sends an assigned or offered chat back to the queue (e.g. the agent handed it back). */
  requeue(conversationId: string, now: number): Promise<ChatRoute | null>;

  // Transfers. Whatever drops a chat from its agent (release, requeue, remove, assign, the
  // agent's grace running out) also drops its pending transfer and frees the held slot; so does
  // the colleague's grace running out.

  /**
   * Warm transfer, asked: the chat stays with `fromAgentId`, and a slot of `toAgentId` is held
   * for it until the answer. Refused unless the chat is assigned to the requester without another
   * pending transfer, and the colleague is available, connected and (unless forced) has room.
   */
  requestTransfer(ask: TransferAsk, now: number): Promise<TransferStart>;
  /** Ends a pending transfer without moving the chat (declined, withdrawn); null unless `transferId` is the pending one. */
  dropTransfer(conversationId: string, transferId: string): Promise<ChatRoute | null>;
  /** Pending transfers past their deadline end, the requester keeping the chat; each is returned once. */
  expireTransfers(now: number): Promise<Array<{ route: ChatRoute; transfer: PendingTransfer }>>;
  /**
   * Warm transfer, accepted: in one step the chat becomes the colleague's (their held slot turns
   * into an active chat) and the requester's slot goes into the department's wrap-up.
   */
  completeTransfer(conversationId: string, transferId: string, now: number): Promise<Moved | null>;
  /**
   * Cold transfer: the chat leaves its agent (into wrap-up) or its offer, and waits in another
   * department's queue ahead of the chats there that were not transferred (priority + 1), with
   * its original waiting time. The previous agent is not offered it again for `excludeMs`.
   */
  moveToDepartment(conversationId: string, departmentId: number, now: number, excludeMs: number): Promise<Moved | null>;
  /**
   * A supervisor puts a waiting, offered or served chat with an agent in one step (previous
   * agent into wrap-up, an offer withdrawn). Same refusals as a transfer; `force` goes over capacity.
   */
  reassign(conversationId: string, toAgentId: number, now: number, force: boolean): Promise<Reassigned>;

  /**
   * A call starts (`inCall` true) or ends in an assigned chat. Starting is refused when the chat
   * has no agent, or its agent is already on a call in another chat (one call per agent).
   */
  markCall(conversationId: string, inCall: boolean): Promise<CallMark>;

  /**
   * A node says it is alive (cluster liveness); connection ids carry the node id as "nodeId:".
   * Returns true when the node was not on the list: first heartbeat, or it had been declared dead.
   */
  heartbeat(nodeId: string, now: number): Promise<boolean>;
  /**
   * Nodes silent for `deadAfterMs` are dead: their agents' connections are dropped (starting the
   * grace period where none is left). A node never declares itself dead. Returns the agents touched.
   */
  reapDeadNodes(now: number, deadAfterMs: number, graceMs: number, selfNodeId: string): Promise<number[]>;
  /** An id of the current state's generation; changes when the state is rebuilt (empty Redis). */
  epoch(): Promise<string | null>;
  /** Claims the rebuild of an empty state: returns the new epoch to the one caller that must rebuild. */
  claimRebuild(epoch: string): Promise<boolean>;

  route(conversationId: string): Promise<ChatRoute | null>;
  /** Waiting and offered chats in queue order with positions; one department or all. */
  queue(departmentId: number | null): Promise<QueuedView[]>;
  /** One waiting chat with its position in its department's queue; null when it is not waiting. */
  queued(conversationId: string): Promise<QueuedView | null>;
  agent(agentId: number): Promise<AgentRuntime>;
  agents(): Promise<AgentRuntime[]>;
  departments(): Promise<DepartmentRouting[]>;
  profiles(): Promise<AgentProfile[]>;
}
