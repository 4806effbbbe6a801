import type { TicketCreated } from '../../../shared/schemas/tickets.js';
import type { ClientAck } from '../../lib/errors.js';
import { networkError } from '../../lib/errors.js';
import { VOICEMAIL_MAX_SECONDS } from '../../../shared/limits.js';

/** From shared/limits.ts, as the voicemail schema (shared/schemas/voice.ts would pull in zod). */
export { VOICEMAIL_MAX_BYTES, VOICEMAIL_MAX_SECONDS } from '../../../shared/limits.js';

/** Where the voicemail belongs: a waiting chat or call request, or on its own. */
export type VoicemailTarget =
  | { conversationId: string }
  | { departmentId: number; language: string; name: string; email?: string };

/** Opus in WebM where the browser has it (Chrome, Firefox), else whatever it records (Safari: MP4). */
export function recorderMimeType(): string | undefined {
  if (typeof MediaRecorder === 'undefined') return undefined;
  return ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/webm', 'audio/mp4'].find((type) => MediaRecorder.isTypeSupported(type));
}

/** POST /api/visitor/voicemail: the recording is the body, the rest goes in the query. */
export async function sendVoicemail(
  origin: string,
  token: string | undefined,
  clientId: string,
  durationSeconds: number,
  target: VoicemailTarget,
  recording: Blob,
): Promise<ClientAck<TicketCreated>> {
  const query = new URLSearchParams({ clientId, durationSeconds: String(Math.min(VOICEMAIL_MAX_SECONDS, Math.max(1, Math.round(durationSeconds)))) });
  for (const [key, value] of Object.entries(target)) if (value !== undefined && value !== '') query.set(key, String(value));
  let response: Response;
  try {
    response = await fetch(`${origin}/api/visitor/voicemail?${query}`, {
      method: 'POST',
      headers: { 'content-type': recording.type || 'audio/webm', accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: recording,
    });
  } catch (error) {
    return { ok: false, error: networkError(error instanceof Error ? error.message : undefined) };
  }
  try {
    const body = (await response.json()) as ClientAck<TicketCreated>;
    if (typeof body?.ok === 'boolean') return body;
  } catch {
    // not JSON: a proxy's error page
  }
  return { ok: false, error: { code: response.status === 413 ? 'PAYLOAD_TOO_LARGE' : 'INTERNAL', message: `HTTP ${response.status}` } };
}
