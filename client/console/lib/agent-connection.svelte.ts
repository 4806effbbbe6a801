import type { Socket } from 'socket.io-client';
import { AGENT_NAMESPACE, type AgentClientToServer, type AgentServerToClient, type Preferences } from '../../../shared/events/agent.js';
import type { AgentStatus, AwayReason, Presence } from '../../../shared/schemas/presence.js';
import type { SessionEndCode } from '../../../shared/schemas/auth.js';
import { ConnectionTracker } from '../../lib/connection.svelte.js';
import type { ClientAck } from '../../lib/errors.js';
import { ask, connectSocket } from '../../lib/socket.js';

export type AgentSocket = Socket<AgentServerToClient, AgentClientToServer>;

/** Something that listens on the agent socket (ChatStore, TeamStore). */
export interface SocketBinding {
  /** Called once with the socket, before it connects: register server pushes here. */
  bind(socket: AgentSocket): void;
  /** Called on every (re)connect: load or resync state here. */
  connected(socket: AgentSocket): void;
}

const notConnected = { ok: false as const, error: { code: 'NETWORK' as const, message: 'not connected' } };

/**
 * The console's socket to /agent (cookie auth). Holds the agent's presence as the server sees
 * it; `presence:changed` keeps every tab of the same agent in sync. Supervisors receive
 * `presence:changed` for every agent, so only the own agent id updates `presence`.
 */
export class AgentConnection {
  presence = $state<Presence | null>(null);
  preferences = $state<Preferences>({ autoAccept: false });
  readonly connection = new ConnectionTracker();
  readonly userId: number;
  #socket: AgentSocket | null = null;
  readonly #bindings: SocketBinding[] = [];
  readonly #onSessionEnded: (code: SessionEndCode | null) => void;

  /** `onSessionEnded` gets the server's reason (`session:ended`), or null when the connection was refused. */
  constructor(userId: number, onSessionEnded: (code: SessionEndCode | null) => void) {
    this.userId = userId;
    this.#onSessionEnded = onSessionEnded;
  }

  get socket(): AgentSocket | null {
    return this.#socket;
  }

  /** Adds a listener set; call before `connect()`. */
  use(binding: SocketBinding): void {
    this.#bindings.push(binding);
    if (this.#socket) {
      binding.bind(this.#socket);
      if (this.#socket.connected) binding.connected(this.#socket);
    }
  }

  connect(): void {
    if (this.#socket) return;
    const socket: AgentSocket = connectSocket<AgentServerToClient, AgentClientToServer>(AGENT_NAMESPACE, { withCredentials: true });
    this.#socket = socket;
    this.connection.attach(socket);

    socket.on('connect', () => {
      void this.refresh();
      for (const binding of this.#bindings) binding.connected(socket);
    });
    socket.on('presence:changed', (presence) => {
      if (presence.agentId === this.userId) this.presence = presence;
    });
    socket.on('preferences:changed', (preferences) => {
      this.preferences = preferences;
    });
    socket.on('session:ended', ({ code }) => this.#end(code));
    socket.on('connect_error', (error) => {
      if (socket.active) return; // transport trouble: socket.io retries by itself
      if (error.message === 'UNAUTHENTICATED' || error.message === 'FORBIDDEN') this.#end(null);
      else setTimeout(() => socket.connect(), 5_000);
    });
    socket.on('disconnect', (reason) => {
      // Server-side disconnects are not retried by socket.io; it usually means the session ended.
      if (reason === 'io server disconnect') setTimeout(() => socket.connect(), 1_000);
    });
    for (const binding of this.#bindings) binding.bind(socket);
  }

  async refresh(): Promise<void> {
    const socket = this.#socket;
    if (!socket) return;
    const result = await ask(socket, 'presence:get', {});
    if (result.ok) this.presence = result.data;
  }

  async setPresence(status: AgentStatus, reason?: AwayReason): Promise<ClientAck<Presence>> {
    const socket = this.#socket;
    if (!socket) return notConnected;
    const payload = status === 'away' && reason ? { status, reason } : { status };
    const result = await ask(socket, 'presence:set', payload);
    if (result.ok) this.presence = result.data;
    return result;
  }

  async setAutoAccept(autoAccept: boolean): Promise<ClientAck<Preferences>> {
    const socket = this.#socket;
    if (!socket) return notConnected;
    const previous = this.preferences;
    this.preferences = { ...previous, autoAccept };
    const result = await ask(socket, 'preferences:set', { autoAccept });
    this.preferences = result.ok ? result.data : previous;
    return result;
  }

  disconnect(): void {
    this.#socket?.disconnect();
    this.#socket = null;
    this.presence = null;
  }

  #end(code: SessionEndCode | null): void {
    this.disconnect();
    this.#onSessionEnded(code);
  }
}
