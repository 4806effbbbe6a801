import type { Context } from 'mocha';
import type { VoiceJoined, VoiceRoomId } from '../../shared/schemas/voice.js';
import { ask, expectOk, type AgentSocket, type VisitorSocket } from './clients.js';
import type { TestServer } from './server.js';

type AnySocket = VisitorSocket | AgentSocket;

/**
 * Voice suites need the mediasoup worker. CI sets REQUIRE_VOICE=1 (and builds the worker first):
 * there a missing worker fails the suite. Elsewhere the suite is skipped and says why.
 */
export function requireVoice(ctx: Context, server: TestServer): void {
  const status = server.zentrale.voice.status();
  if (status.available) return;
  if (process.env.REQUIRE_VOICE === '1') throw new Error(`REQUIRE_VOICE=1 but voice is unavailable: ${status.reason}`);
  console.warn(`      (voice suite skipped: ${status.reason}; run npm run voice:worker)`);
  ctx.skip();
}

/** What a browser's Opus sender offers, as mediasoup-client would hand it to `voice:produce`. */
export const opusRtpParameters = (ssrc: number) => ({
  mid: '0',
  codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: { minptime: 10, useinbandfec: 1 }, rtcpFeedback: [{ type: 'transport-cc' }] }],
  headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 4 }],
  encodings: [{ ssrc }],
  rtcp: { cname: `peer-${ssrc}`, reducedSize: true },
});

export const fakeDtls = { role: 'client' as const, fingerprints: [{ algorithm: 'sha-256' as const, value: Array.from({ length: 32 }, () => 'AB').join(':') }] };

let ssrc = 1000;

/**
 * Signaling as a client does it, without media: join, both transports, connect, produce. (No DTLS
 * handshake happens: the browser suites carry real audio.) Returns what consuming needs.
 */
export async function joinAndProduce(socket: AnySocket, roomId: VoiceRoomId): Promise<{ joined: VoiceJoined; producerId: string; consume(producerId: string): Promise<string> }> {
  const joined = expectOk(await ask(socket as AgentSocket, 'voice:join', { roomId }));
  const send = expectOk(await ask(socket as AgentSocket, 'voice:transport:create', { roomId, direction: 'send' }));
  const recv = expectOk(await ask(socket as AgentSocket, 'voice:transport:create', { roomId, direction: 'recv' }));
  for (const t of [send, recv]) expectOk(await ask(socket as AgentSocket, 'voice:transport:connect', { roomId, transportId: t.id, dtlsParameters: fakeDtls }));
  const { producerId } = expectOk(await ask(socket as AgentSocket, 'voice:produce', { roomId, transportId: send.id, kind: 'audio', rtpParameters: opusRtpParameters(ssrc++) }));
  const caps = joined.routerRtpCapabilities as never;
  return {
    joined,
    producerId,
    async consume(id) {
      const consumer = expectOk(await ask(socket as AgentSocket, 'voice:consume', { roomId, producerId: id, rtpCapabilities: caps }));
      expectOk(await ask(socket as AgentSocket, 'voice:consumer:resume', { roomId, consumerId: consumer.consumerId }));
      return consumer.consumerId;
    },
  };
}
