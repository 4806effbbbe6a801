import type { Message } from '../../shared/schemas/chat.js';

/** Merges messages by server id (later copies win) and keeps them in id order. */
export function mergeMessages(current: readonly Message[], incoming: readonly Message[]): Message[] {
  if (incoming.length === 0) return current as Message[];
  const byId = new Map<number, Message>();
  for (const message of current) byId.set(message.id, message);
  for (const message of incoming) byId.set(message.id, message);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/** The id to resume from after a reconnect. */
export function highestId(messages: readonly Message[]): number {
  return messages.reduce((max, message) => Math.max(max, message.id), 0);
}

/** A language in its own name ("Deutsch", "English", "Türkçe"). */
export function languageName(code: string): string {
  try {
    const name = new Intl.DisplayNames([code], { type: 'language' }).of(code);
    if (name && name !== code) return name.charAt(0).toLocaleUpperCase(code) + name.slice(1);
  } catch {
    // unknown code or no Intl.DisplayNames: fall through
  }
  return code.toUpperCase();
}
