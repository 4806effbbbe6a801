import type { Socket } from 'socket.io-client';
import { AGENT_NAMESPACE, type AgentClientToServer, type AgentServerToClient } from '../../../shared/events/agent.js';
import type { AgentStatus, AwayReason, Presence } from '../../../shared/schemas/presence.js';
import { ConnectionTracker } from '../../lib/connection.svelte.js';
import type { ClientAck } from '../../lib/errors.js';
import { connectSocket, settle } from '../../lib/socket.js';

type AgentSocket = Socket<AgentServerToClient, AgentClientToServer>;

/**
 * The console's socket to /agent (cookie auth). Holds the agent's presence as the server sees
 * it; `presence:changed` keeps every tab of the same agent in sync.
 */
export class AgentConnection {
  presence = $state<Presence | null>(null);
  readonly connection = new ConnectionTracker();
  #socket: AgentSocket | null = null;
  readonly #onSessionEnded: () => void;

  constructor(onSessionEnded: () => void) {
    this.#onSessionEnded = onSessionEnded;
  }

  connect(): void {
    if (this.#socket) return;
    const socket: AgentSocket = connectSocket<AgentServerToClient, AgentClientToServer>(AGENT_NAMESPACE, { withCredentials: true });
    this.#socket = socket;
    this.connection.attach(socket);

    socket.on('connect', () => void this.refresh());
    socket.on('presence:changed', (presence) => {
      this.presence = presence;
    });
    socket.on('session:ended', () => this.#end());
    socket.on('connect_error', (error) => {
      if (socket.active) return; // transport trouble: socket.io retries by itself
      if (error.message === 'UNAUTHENTICATED' || error.message === 'FORBIDDEN') this.#end();
      else setTimeout(() => socket.connect(), 5_000);
    });
    socket.on('disconnect', (reason) => {
      // Server-side disconnects are not retried by socket.io; it usually means the session ended.
      if (reason === 'io server disconnect') setTimeout(() => socket.connect(), 1_000);
    });
  }

  async refresh(): Promise<void> {
    const socket = this.#socket;
    if (!socket) return;
    const result = await settle(socket.emitWithAck('presence:get', {}));
    if (result.ok) this.presence = result.data;
  }

  async setPresence(status: AgentStatus, reason?: AwayReason): Promise<ClientAck<Presence>> {
    const socket = this.#socket;
    if (!socket) return { ok: false, error: { code: 'NETWORK', message: 'not connected' } };
    const payload = status === 'away' && reason ? { status, reason } : { status };
    const result = await settle(socket.emitWithAck('presence:set', payload));
    if (result.ok) this.presence = result.data;
    return result;
  }

  disconnect(): void {
    this.#socket?.disconnect();
    this.#socket = null;
    this.presence = null;
  }

  #end(): void {
    this.disconnect();
    this.#onSessionEnded();
  }
}
