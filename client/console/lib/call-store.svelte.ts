import { getContext, setContext } from 'svelte';
import type { AgentConversation } from '../../../shared/schemas/chat.js';
import { voiceRoomIds, type CallState } from '../../../shared/schemas/voice.js';
import type { ClientAck } from '../../lib/errors.js';
import { ask } from '../../lib/socket.js';
import { CallSeat } from '../../lib/voice/call.svelte.js';
import { socketSignaling } from '../../lib/voice/signaling.js';
import type { AgentConnection, AgentSocket, SocketBinding } from './agent-connection.svelte.js';

const conversationRoom = voiceRoomIds.conversation;
const consultRoom = voiceRoomIds.consult;

/**
 * The agent's calls: the state of every call of the agent's conversations (`call:updated`), the
 * seat in a customer's call and the seat on a consult line (a warm transfer's private room;
 * the customer waits on hold meanwhile, so both can be open at once).
 */
export class CallStore implements SocketBinding {
  calls = $state<Record<string, CallState>>({});
  readonly seat: CallSeat;
  readonly consult: CallSeat;
  readonly #agent: AgentConnection;

  constructor(agent: AgentConnection) {
    this.#agent = agent;
    const signaling = () => (agent.socket ? socketSignaling(agent.socket) : null);
    this.seat = new CallSeat(signaling);
    this.consult = new CallSeat(signaling);
  }

  bind(socket: AgentSocket): void {
    socket.on('call:updated', (call) => {
      this.calls[call.conversationId] = call;
    });
  }

  connected(): void {
    // Calls do not survive a dropped connection (the server takes the peer out): nothing to resync.
  }

  /** The conversation this console is talking in (connecting, live or held), if any. */
  get conversationId(): string | null {
    const roomId = this.seat.live ? this.seat.state.roomId : null;
    return roomId?.startsWith('conversation:') ? roomId.slice('conversation:'.length) : null;
  }

  inCall(conversationId: string): boolean {
    return this.seat.in(conversationRoom(conversationId));
  }

  /** Start a call in a chat, or join the one the visitor started. */
  join(conversationId: string): Promise<void> {
    return this.seat.join(conversationRoom(conversationId));
  }

  /**
   * A conversation just became ours (offer accepted, transfer taken over): a call request, or a
   * chat whose visitor is in a call, is joined at once.
   */
  pickUp(conversation: AgentConversation): void {
    if (conversation.status !== 'active' || conversation.assignedAgentId !== this.#agent.userId) return;
    if (conversation.channel === 'voice' || this.calls[conversation.id]?.active) void this.join(conversation.id);
  }

  async hold(conversationId: string, held: boolean): Promise<ClientAck<{ call: CallState }>> {
    const socket = this.#agent.socket;
    if (!socket) return { ok: false, error: { code: 'NETWORK', message: 'not connected' } };
    const result = await ask(socket, 'call:hold', { conversationId, held });
    if (result.ok) this.calls[conversationId] = result.data.call;
    return result;
  }

  hangUp(): Promise<void> {
    return this.seat.leave();
  }

  /** The private line of a pending warm transfer; the caller is put on hold first. */
  async joinConsult(transferId: string, conversationId: string | null): Promise<void> {
    if (conversationId && this.inCall(conversationId) && !this.calls[conversationId]?.held) await this.hold(conversationId, true);
    await this.consult.join(consultRoom(transferId));
  }

  inConsult(transferId: string): boolean {
    return this.consult.in(consultRoom(transferId));
  }

  dispose(): void {
    void this.seat.leave();
    void this.consult.leave();
  }
}

const KEY = Symbol('calls');

/** The shell provides the store; call panels deep in chat and transfer views read it. */
export function provideCalls(calls: CallStore): void {
  setContext(KEY, calls);
}

export function useCalls(): CallStore {
  return getContext<CallStore>(KEY);
}
