/**
 * Characters no field of zentrale's contract accepts, anywhere in a payload: C0 control characters
 * except tab, line feed and carriage return (U+0000 above all: SQLite reads SQL as C strings, and
 * terminals and mail headers misread it too), DEL, and unpaired UTF-16 surrogates (they are not
 * text: stores replace them with U+FFFD, so an ack would no longer say what was stored).
 *
 * The decision (docs/protocol.md, "Text"): such input is refused with VALIDATION_FAILED, on both
 * databases alike, rather than silently changed; clients strip them from what people type or paste
 * with `stripUnsafeText` before sending.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// eslint-disable-next-line no-control-regex
const UNSAFE_ALL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Deeper than any payload of the contract nests; deeper input is refused, not walked. */
const MAX_DEPTH = 32;

export interface UnsafeText {
  /** Dotted path of the offending value ('' for the payload itself). */
  path: string;
  message: string;
}

const describe = (ch: string) => `U+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

/** The first string (value or key) in `value` holding a character from the list above, or null. */
export function findUnsafeText(value: unknown, path = '', depth = 0): UnsafeText | null {
  if (typeof value === 'string') {
    const hit = UNSAFE.exec(value);
    return hit ? { path, message: `contains ${describe(hit[0])}, which is not allowed in text` } : null;
  }
  if (value === null || typeof value !== 'object') return null;
  if (depth >= MAX_DEPTH) return { path, message: 'nested too deeply' };
  // Binary (uploads travel as Buffers/ArrayBuffers) is not text.
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnsafeText(value[i], path ? `${path}.${i}` : String(i), depth + 1);
      if (found) return found;
    }
    return null;
  }
  for (const [key, inner] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if (UNSAFE.test(key)) return { path: at, message: 'a key contains a character that is not allowed' };
    const found = findUnsafeText(inner, at, depth + 1);
    if (found) return found;
  }
  return null;
}

/** What a client sends instead of what was typed or pasted: the same text without those characters. */
export const stripUnsafeText = (text: string): string => text.replace(UNSAFE_ALL, '');
