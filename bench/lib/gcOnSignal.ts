/**
 * Preloaded into server processes of the idle scenario only (with --expose-gc): SIGUSR2 runs a
 * full garbage collection. Without it, RSS before/after readings mostly measure when V8 last
 * collected (garbage from the set-up requests), not what the open sockets hold.
 */
const gc = (globalThis as { gc?: () => void }).gc;
if (gc) process.on('SIGUSR2', () => gc());
