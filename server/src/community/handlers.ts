import type { communityEvents } from '../../../shared/events/community.js';
import type { CommunityRefusal } from '../../../shared/schemas/community.js';
import { ForbiddenError, RefusedError } from '../errors/errors.js';
import { voiceRoomIds } from '../../../shared/schemas/voice.js';
import type { Handlers } from '../features/handlers.js';
import type { VoiceOps } from '../voice/clusterVoice.js';
import { voiceHandlers } from '../voice/handlers.js';
import type { VoiceCaller } from '../voice/peer.js';
import type { Community } from './community.js';
import type { CommunityContext } from './namespace.js';

const none = {} as Record<string, never>;

/** Each event, authorized by the caller (the service refuses visitors what only staff may do). */
export function communityHandlers(community: Community, voice: VoiceOps): Handlers<typeof communityEvents, CommunityContext> {
  const voiceCaller = async ({ caller }: CommunityContext): Promise<VoiceCaller> => {
    if (caller.kind === 'staff') return { role: 'agent', agentId: caller.user.id, name: caller.user.name };
    const name = await community.displayName(caller.visitorId);
    if (!name) throw new RefusedError<CommunityRefusal>('no_name', 'Choose a display name first.');
    return { role: 'visitor', visitorId: caller.visitorId, name };
  };
  const voiceEverywhere = async (visitorId: string, maySpeak: boolean) => {
    for (const roomId of await community.roomIds()) await voice.setVisitorVoice(voiceRoomIds.community(roomId), visitorId, maySpeak);
  };
  return {
    ...voiceHandlers<CommunityContext>(voice, voiceCaller, 'community'),
    'community:voice:mute': async ({ roomId, peerId, muted }, ctx) => {
      if (ctx.caller.kind !== 'staff') throw new ForbiddenError('Only the team mutes others.');
      await voice.mutePeer(ctx.socketId, roomId, peerId, muted);
      return none;
    },
    'community:voice:switch': async ({ roomId, open }, ctx) => {
      const { deliver, room } = await community.switchVoice(ctx.caller, roomId, open, () => voice.closeRoom(voiceRoomIds.community(roomId)));
      ctx.afterAck(deliver);
      return { room };
    },
    'community:rooms': (_p, { caller }) => community.rooms(caller),
    'community:profile': async ({ displayName }, { caller }) => ({ me: await community.setProfile(caller, displayName) }),
    'community:join': async ({ roomId }, ctx) => {
      const joined = await community.join(ctx.caller, roomId, 0);
      await ctx.enter(roomId);
      return { ...joined, present: await ctx.present(roomId) };
    },
    'community:leave': async (_p, ctx) => {
      await ctx.enter(null);
      return none;
    },
    'community:history': ({ roomId, beforeId }) => community.history(roomId, beforeId),
    'community:thread': ({ messageId }) => community.thread(messageId),
    'community:post': async (input, ctx) => {
      const { deliver, ...result } = await community.post(ctx.caller, input);
      ctx.afterAck(deliver);
      return result;
    },
    'community:report': async ({ messageId, reason }, ctx) => {
      ctx.afterAck(await community.report(ctx.caller, messageId, reason));
      return none;
    },
    'community:ask-agent': async (input, ctx) => {
      const { deliver, conversation, queue, ticket } = await community.askAgent(ctx.caller, input, ctx.socketId);
      ctx.afterAck(deliver);
      return { conversation, queue, ticket };
    },
    'community:delete': async ({ messageId }, ctx) => {
      const { deliver, message } = await community.remove(ctx.caller, messageId);
      ctx.afterAck(deliver);
      return { message };
    },
    'community:pin': async ({ messageId, on }, ctx) => {
      const { deliver, message } = await community.pin(ctx.caller, messageId, on);
      ctx.afterAck(deliver);
      return { message };
    },
    'community:accept': async ({ messageId, on }, ctx) => {
      const { deliver, message } = await community.accept(ctx.caller, messageId, on);
      ctx.afterAck(deliver);
      return { message };
    },
    'community:sanction': async (input, ctx) => {
      const { deliver, sanction } = await community.sanction(ctx.caller, input);
      ctx.afterAck(deliver);
      // Muted in the community is muted in its voice rooms too, at once (a ban puts them out anyway).
      if (input.kind === 'mute') ctx.afterAck(() => voiceEverywhere(input.visitorId, false));
      return { sanction };
    },
    'community:sanction:lift': async ({ sanctionId }, ctx) => {
      const { deliver, visitorId, stillMuted } = await community.lift(ctx.caller, sanctionId);
      ctx.afterAck(deliver);
      if (!stillMuted) ctx.afterAck(() => voiceEverywhere(visitorId, true));
      return none;
    },
    'community:sanctions': async (_p, { caller }) => ({ sanctions: await community.sanctions(caller) }),
    'community:reports': async (_p, { caller }) => ({ reports: await community.reports(caller) }),
    'community:report:resolve': async ({ reportId, action }, ctx) => {
      ctx.afterAck(await community.resolve(ctx.caller, reportId, action));
      return none;
    },
  };
}
