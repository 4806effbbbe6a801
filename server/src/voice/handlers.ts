import type { types as ms } from 'mediasoup';
import type { agentEvents } from '../../../shared/events/agent.js';
import type { voiceEvents } from '../../../shared/events/voice.js';
import type { Handlers } from '../features/handlers.js';
import type { AgentContext } from '../features/handlers.js';
import type { VoiceNamespace, VoiceOps } from './clusterVoice.js';
import type { VoiceCaller } from './peer.js';
import { voiceRoomIds } from '../../../shared/schemas/voice.js';
import { NotFoundError } from '../errors/errors.js';

export type VoiceEvents = typeof voiceEvents;

interface CallerContext {
  socketId: string;
}

/**
 * The signaling events, the same for both namespaces: `callerOf` says who the socket is, `ns`
 * where it is connected. The schemas have bounded the WebRTC parameter objects; mediasoup checks their content.
 */
export function voiceHandlers<Ctx extends CallerContext>(voice: VoiceOps, callerOf: (ctx: Ctx) => Promise<VoiceCaller> | VoiceCaller, ns: VoiceNamespace): Handlers<VoiceEvents, Ctx> {
  const none = {} as Record<string, never>;
  return {
    'voice:join': async ({ roomId }, ctx) => {
      // Community voice rooms live on /community only, calls and consults never there.
      if ((voiceRoomIds.parse(roomId).kind === 'community') !== (ns === 'community')) throw new NotFoundError('No such room here.');
      return voice.join(roomId, await callerOf(ctx), ctx.socketId, ns);
    },
    'voice:transport:create': ({ roomId, direction }, ctx) => voice.createTransport(ctx.socketId, roomId, direction),
    'voice:transport:connect': async ({ roomId, transportId, dtlsParameters }, ctx) => {
      await voice.connectTransport(ctx.socketId, roomId, transportId, dtlsParameters as ms.DtlsParameters);
      return none;
    },
    'voice:produce': ({ roomId, transportId, rtpParameters }, ctx) => voice.produce(ctx.socketId, roomId, transportId, rtpParameters as ms.RtpParameters),
    'voice:consume': ({ roomId, producerId, rtpCapabilities }, ctx) => voice.consume(ctx.socketId, roomId, producerId, rtpCapabilities as ms.RtpCapabilities),
    'voice:consumer:resume': async ({ roomId, consumerId }, ctx) => {
      await voice.resumeConsumer(ctx.socketId, roomId, consumerId);
      return none;
    },
    'voice:mute': async ({ roomId, muted }, ctx) => {
      await voice.mute(ctx.socketId, roomId, muted);
      return none;
    },
    'voice:leave': async ({ roomId }, ctx) => {
      await voice.leave(ctx.socketId, roomId);
      return none;
    },
  };
}

export function callHoldHandler(voice: VoiceOps): Handlers<Pick<typeof agentEvents, 'call:hold'>, AgentContext> {
  return {
    'call:hold': async ({ conversationId, held }, ctx) => ({ call: await voice.hold(conversationId, ctx.user.id, ctx.socketId, held) }),
  };
}
