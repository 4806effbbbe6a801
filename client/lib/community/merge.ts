import type { CommunityMessage } from '../../../shared/schemas/community.js';

/** Merges messages by id (later copies win: they carry the newest flags) and keeps id order. */
export function mergeById(current: readonly CommunityMessage[], incoming: readonly CommunityMessage[]): CommunityMessage[] {
  if (incoming.length === 0) return current as CommunityMessage[];
  const byId = new Map<number, CommunityMessage>();
  for (const message of current) byId.set(message.id, message);
  for (const message of incoming) byId.set(message.id, message);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/** Replaces a message where it is, without adding it where it was not. */
export function replaceIn(list: readonly CommunityMessage[], message: CommunityMessage): CommunityMessage[] {
  return list.some((entry) => entry.id === message.id) ? list.map((entry) => (entry.id === message.id ? message : entry)) : (list as CommunityMessage[]);
}
