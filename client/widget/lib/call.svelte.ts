import type { CallState } from '../../../shared/schemas/voice.js';
import { CallSeat } from '../../lib/voice/call.svelte.js';
import { socketSignaling } from '../../lib/voice/signaling.js';
import type { VisitorChat, VisitorSocket } from './chat.svelte.js';

/**
 * The visitor's call (loaded with the chat view, never in the core): the conversation's call
 * state from `call:updated` and the seat in its room. The call code itself (mediasoup-client)
 * loads on the first join (lib/voice/call.svelte.ts).
 */
export class VisitorCall {
  /** The last state pushed for the open conversation's call. */
  call = $state<CallState | null>(null);
  /** The ring the visitor said "not now" to (by its start), so the banner stays away. */
  declined = $state<string | null>(null);
  readonly seat: CallSeat;
  readonly #chat: VisitorChat;
  #bound: VisitorSocket | null = null;
  /** Conversations whose call request was joined once: a hang-up is not undone by auto-join. */
  readonly #autoJoined = new Set<string>();

  constructor(chat: VisitorChat) {
    this.#chat = chat;
    this.seat = new CallSeat(() => (chat.socket ? socketSignaling(chat.socket) : null));
    this.bind();
  }

  /** Listens on the chat's socket (again after it was replaced). */
  bind(): void {
    const socket = this.#chat.socket;
    if (!socket || this.#bound === socket) return;
    this.#bound = socket;
    socket.on('call:updated', (call) => {
      if (call.conversationId === this.#chat.conversation?.id) this.call = call;
    });
  }

  get #roomId() {
    const id = this.#chat.conversation?.id;
    return id ? (`conversation:${id}` as const) : null;
  }

  /** The agent is in the call and we are not (and did not wave it off). */
  get ringing(): boolean {
    const call = this.call;
    if (!call?.active || this.seat.live || call.conversationId !== this.#chat.conversation?.id) return false;
    return call.startedAt !== this.declined && call.participants.some((p) => p.role === 'agent') && !call.participants.some((p) => p.role === 'visitor');
  }

  join(): Promise<void> {
    const roomId = this.#roomId;
    this.bind();
    return roomId ? this.seat.join(roomId) : Promise.resolve();
  }

  decline(): void {
    this.declined = this.call?.startedAt ?? null;
  }

  /** A call request that an agent took: join once, as soon as it is active. */
  autoJoin(): void {
    const conversation = this.#chat.conversation;
    if (!conversation || conversation.channel !== 'voice' || conversation.status !== 'active') return;
    if (this.#autoJoined.has(conversation.id) || this.seat.live) return;
    this.#autoJoined.add(conversation.id);
    void this.join();
  }
}

const instances = new WeakMap<VisitorChat, VisitorCall>();

export function callOf(chat: VisitorChat): VisitorCall {
  let call = instances.get(chat);
  if (!call) instances.set(chat, (call = new VisitorCall(chat)));
  call.bind();
  return call;
}
