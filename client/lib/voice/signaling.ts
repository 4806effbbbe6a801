import type { Socket } from 'socket.io-client';
import { settle } from '../socket.js';
import type { VoiceSignaling } from './types.js';

/**
 * Voice signaling over a Socket.IO socket of either namespace: both carry the same voice events
 * (shared/events/voice.ts), so the socket's own event typing is set aside here, once.
 */
export function socketSignaling<L extends object, E extends object>(typed: Socket<L, E>): VoiceSignaling {
  const socket = typed as unknown as Socket;
  return {
    ask: (event, payload) => settle(socket.emitWithAck(event, payload)),
    on: (event, handler) => {
      socket.on(event, handler as never);
      return () => void socket.off(event, handler as never);
    },
  };
}
