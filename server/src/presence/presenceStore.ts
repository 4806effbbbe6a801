import type { AgentStatus, AwayReason, Presence } from '../../../shared/schemas/presence.js';

/**
 * Where agent presence lives. The in-memory implementation serves a single node; a Redis one
 * (with the same contract, tested by the same suite) serves a cluster.
 */
export interface PresenceStore {
  get(agentId: number): Promise<Presence>;
  set(agentId: number, status: AgentStatus, reason: AwayReason | null, at: Date): Promise<Presence>;
  list(): Promise<Presence[]>;
}

export function createMemoryPresenceStore(): PresenceStore {
  const byAgent = new Map<number, Presence>();
  const offline = (agentId: number): Presence => ({ agentId, status: 'offline', reason: null, since: new Date(0).toISOString() });
  return {
    get: async (agentId) => byAgent.get(agentId) ?? offline(agentId),
    async set(agentId, status, reason, at) {
      const current = byAgent.get(agentId);
      if (current && current.status === status && current.reason === reason) return current;
      const next: Presence = { agentId, status, reason, since: at.toISOString() };
      byAgent.set(agentId, next);
      return next;
    },
    list: async () => [...byAgent.values()],
  };
}
