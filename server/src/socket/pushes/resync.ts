import type { Bus } from '../../events/bus.js';
import type { AgentNamespace } from '../agentNamespace.js';
import type { VisitorNamespace } from '../visitorNamespace.js';

/**
 * Shared state was rebuilt or broadcasts may have been lost: every client fetches its state afresh.
 * Local sockets only, because every node hears the fact from its own Redis connection and tells its own clients.
 */
export function subscribeResyncPushes(bus: Bus, agents: AgentNamespace, visitors: VisitorNamespace): void {
  bus.on('cluster.resync_required', () => {
    agents.local.emit('sync:required');
    visitors.local.emit('sync:required');
  });
}
