import type { Socket } from 'socket.io-client';

export type ConnectionState = 'connecting' | 'online' | 'reconnecting' | 'offline';

/** Reactive connection state of one socket, for the "Reconnecting…" indicators. */
export class ConnectionTracker {
  state = $state<ConnectionState>('connecting');
  #everConnected = false;

  // Socket's event maps vary per namespace; only the reserved events are used here.
  attach<L extends object, E extends object>(socket: Socket<L, E>): void {
    const raw = socket as unknown as Socket;
    raw.on('connect', () => {
      this.#everConnected = true;
      this.state = 'online';
    });
    raw.on('disconnect', (reason) => {
      this.state = reason === 'io client disconnect' ? 'offline' : 'reconnecting';
    });
    raw.on('connect_error', () => {
      // socket.active is false when the server refused us (middleware error): no auto-retry.
      if (!raw.active) this.state = 'offline';
      else this.state = this.#everConnected ? 'reconnecting' : 'connecting';
    });
  }
}
