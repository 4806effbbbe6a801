import type { AgentState, QueueEntry } from '../../../shared/schemas/routing.js';
import { ask } from '../../lib/socket.js';
import type { AgentSocket, SocketBinding } from './agent-connection.svelte.js';
import { replaceDepartmentQueue, sortQueue } from './chat-logic.js';

/**
 * Supervisor view of the team: every agent's live state and the whole queue. Starts from
 * `supervisor:snapshot` on every (re)connect, then applies `agent:updated`, `presence:changed`
 * and `queue:changed`.
 */
export class TeamStore implements SocketBinding {
  agents = $state<AgentState[]>([]);
  queue = $state<QueueEntry[]>([]);
  loaded = $state(false);
  failed = $state(false);

  bind(socket: AgentSocket): void {
    socket.on('agent:updated', (state) => {
      const index = this.agents.findIndex((a) => a.agentId === state.agentId);
      if (index === -1) this.agents.push(state);
      else this.agents[index] = state;
    });
    socket.on('presence:changed', (presence) => {
      const index = this.agents.findIndex((a) => a.agentId === presence.agentId);
      if (index === -1) return;
      const current = this.agents[index]!;
      this.agents[index] = { ...current, status: presence.status, reason: presence.reason, since: presence.since };
    });
    socket.on('queue:changed', ({ departmentId, entries }) => {
      this.queue = replaceDepartmentQueue(this.queue, departmentId, entries);
    });
  }

  connected(socket: AgentSocket): void {
    void this.refresh(socket);
  }

  async refresh(socket: AgentSocket): Promise<void> {
    const result = await ask(socket, 'supervisor:snapshot', {});
    if (result.ok) {
      this.agents = result.data.agents;
      this.queue = sortQueue(result.data.queue);
      this.loaded = true;
      this.failed = false;
    } else {
      this.failed = true;
    }
  }

  agentName(agentId: number | null): string | null {
    if (agentId === null) return null;
    return this.agents.find((a) => a.agentId === agentId)?.name ?? null;
  }
}
