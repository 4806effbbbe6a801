/**
 * Estimated wait for a queued chat (see docs/routing.md).
 *
 * The serving agents form S slots (their capacities summed); F of them are free now. The first F
 * chats in line are offered at once. Every further chat waits for a slot to free up: slots free at
 * S / T chats per second, T being the time a slot is busy per chat (average handle time plus
 * wrap-up). Position p therefore waits about (p − F) · T / S.
 */
export interface ServingAgent {
  capacity: number;
  load: number;
}

export function estimateWaitSeconds(position: number, agents: readonly ServingAgent[], slotSecondsPerChat: number): number | null {
  const totalSlots = agents.reduce((sum, a) => sum + a.capacity, 0);
  if (totalSlots === 0) return null;
  const freeSlots = agents.reduce((sum, a) => sum + Math.max(0, a.capacity - a.load), 0);
  if (position <= freeSlots) return 0;
  return Math.ceil(((position - freeSlots) * slotSecondsPerChat) / totalSlots);
}
