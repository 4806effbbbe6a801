import type { Socket } from 'socket.io-client';
import type { VoiceServerToClient } from '../../../shared/events/voice.js';
import { ask } from '../socket.js';
import type { VoiceClientToServer, VoiceSignaling } from './types.js';

type VoiceSocket = Socket<VoiceServerToClient, VoiceClientToServer>;

/**
 * Voice signaling over a Socket.IO socket of either namespace: both carry the same voice events
 * (shared/events/voice.ts), so the socket is seen here through the voice events alone, once.
 */
export function socketSignaling<L extends object, E extends object>(typed: Socket<L, E>): VoiceSignaling {
  const socket = typed as unknown as VoiceSocket;
  return {
    ask: (event, payload) => ask(socket, event, payload),
    on: (event, handler) => {
      (socket as unknown as Socket).on(event, handler as never);
      return () => void (socket as unknown as Socket).off(event, handler as never);
    },
  };
}
