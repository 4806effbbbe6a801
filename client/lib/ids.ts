/**
 * A client id for idempotent retries: 32 hex characters (fits the contract's 8-64 [A-Za-z0-9_-]).
 * Uses getRandomValues rather than randomUUID because the latter needs a secure context and the
 * widget may be embedded on plain-http intranet pages.
 */
export function newClientId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let id = '';
  for (const byte of bytes) id += byte.toString(16).padStart(2, '0');
  return id;
}
