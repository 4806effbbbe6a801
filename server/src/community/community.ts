import { createHmac } from 'node:crypto';
import { Op, type Sequelize } from 'sequelize';
import {
  COMMUNITY_MAX_LINKS,
  COMMUNITY_PAGE_SIZE,
  type CommunityJoined,
  type CommunityMe,
  type CommunityMessage,
  type CommunityReport,
  type CommunityRefusal,
  type CommunityRoom,
  type CommunitySanction,
  type SanctionKind,
} from '../../../shared/schemas/community.js';
import type { ChatService } from '../chat/chatService.js';
import { ConflictError, ForbiddenError, NotFoundError, RefusedError } from '../errors/errors.js';
import type { MakeLimit } from '../limits/limits.js';
import type { Logger } from '../log/logger.js';
import type { AgentUser } from '../auth/agentUser.js';
import { isUniqueViolation } from '../db/failures.js';
import { countLinks } from './links.js';
import { defineCommunityModels, type CommunityMessageModel } from './models.js';
import { nameClash } from './names.js';

export type CommunityCaller = { kind: 'visitor'; visitorId: string; ipHash: string } | { kind: 'staff'; user: AgentUser };


export interface CommunityDeps {
  sequelize: Sequelize;
  chat: Pick<ChatService, 'visitor'>;
  /** Keys the address hash (addresses themselves are never stored). */
  secretKey: Uint8Array;
  publicUrl: string;
  limits: { postsPerMinute: number; postsPerAddressPerMinute: number; reportsPerHour: number };
  /** The names of the team (every user): visitors may not take one, nor a look-alike. */
  staffNames: () => Promise<string[]>;
  /** The community's budgets (server/src/limits): in Redis on a cluster, so they hold across nodes. */
  makeLimit: MakeLimit;
  log: Logger;
  now: () => Date;
}

export interface CommunityPushes {
  message(message: CommunityMessage): void;
  updated(message: CommunityMessage): void;
  reported(report: CommunityReport): void;
  sanctioned(visitorId: string, me: CommunityMe & { kind: SanctionKind | null; reason: string | null }): void;
  room(room: CommunityRoom): void;
}

type Deliver = () => void;

/** How long a ban or mute also holds for the sanctioned visitor's address (see activeSanction). */
const ADDRESS_SANCTION_MS = 24 * 3600_000;
const THREAD_MAX = 500;

/**
 * The community's rules: who may post what where, threads, reports and sanctions, and taking a
 * thread to a private chat. Transport-free: the namespace passes the caller and delivers the pushes.
 */
export function createCommunity(deps: CommunityDeps) {
  const models = defineCommunityModels(deps.sequelize);
  const { Room, Message, Report, Sanction, Profile } = models;
  const { log, now } = deps;
  const postsByVisitor = deps.makeLimit({ name: 'community:posts:visitor', points: deps.limits.postsPerMinute, durationSeconds: 60 });
  const postsByAddress = deps.makeLimit({ name: 'community:posts:address', points: deps.limits.postsPerAddressPerMinute, durationSeconds: 60 });
  const reportsByVisitor = deps.makeLimit({ name: 'community:reports:visitor', points: deps.limits.reportsPerHour, durationSeconds: 3600 });

  let deliveries: CommunityPushes = { message: () => undefined, updated: () => undefined, reported: () => undefined, sanctioned: () => undefined, room: () => undefined };
  const ipHash = (address: string) => createHmac('sha256', deps.secretKey).update(`community-ip:${address}`).digest('hex');

  /**
   * The sanction that holds now: a ban before a mute, the longest first. A ban or a mute also holds
   * for the address the visitor used, so a new visitor token does not get round it; but an address
   * is shared (an office, a mobile carrier's NAT), so that part lasts at most ADDRESS_SANCTION_MS
   * and spares visitors who had their community name before the sanction.
   */
  async function activeSanction(visitorId: string, hash: string | null) {
    const at = now();
    const holding = await Sanction.findAll({
      where: {
        until: { [Op.gt]: at },
        liftedAt: null,
        [Op.or]: [{ visitorId }, ...(hash ? [{ ipHash: hash, createdAt: { [Op.gt]: new Date(at.getTime() - ADDRESS_SANCTION_MS) } }] : [])],
      },
      order: [['until', 'DESC']],
    });
    const own = holding.filter((s) => s.visitorId === visitorId);
    const byAddress = holding.filter((s) => s.visitorId !== visitorId);
    let neighbours: typeof holding = [];
    if (byAddress.length > 0) {
      const since = (await Profile.findByPk(visitorId, { attributes: ['createdAt'] }))?.createdAt ?? null;
      neighbours = byAddress.filter((s) => since === null || since > s.createdAt);
    }
    const applying = [...own, ...neighbours].sort((a, b) => b.until.getTime() - a.until.getTime());
    return applying.find((s) => s.kind === 'ban') ?? applying[0] ?? null;
  }

  /** The sanction that holds for a visitor at the address they last came from (voice, lifting). */
  async function sanctionNow(visitorId: string) {
    const hash = (await Profile.findByPk(visitorId, { attributes: ['lastIpHash'] }))?.lastIpHash ?? null;
    return activeSanction(visitorId, hash);
  }

  async function me(caller: CommunityCaller): Promise<CommunityMe> {
    if (caller.kind === 'staff') return { staff: true, displayName: caller.user.name, muted: null };
    const [profile, sanction] = await Promise.all([Profile.findByPk(caller.visitorId), activeSanction(caller.visitorId, caller.ipHash)]);
    return { staff: false, displayName: profile?.displayName ?? null, muted: sanction ? sanction.until.toISOString() : null };
  }

  async function room(roomId: number): Promise<CommunityRoom> {
    const row = await Room.findByPk(roomId);
    if (!row) throw new NotFoundError('No such room.');
    return row.toPublic();
  }

  async function message(id: number): Promise<CommunityMessageModel> {
    const row = await Message.findByPk(id);
    if (!row) throw new NotFoundError('No such message.');
    return row;
  }

  const staffOnly = (caller: CommunityCaller): AgentUser => {
    if (caller.kind !== 'staff') throw new ForbiddenError('Only the team moderates.');
    return caller.user;
  };

  /** Top-level messages older than `beforeId`, oldest first, and whether there are more. */
  async function page(roomId: number, beforeId?: number): Promise<{ messages: CommunityMessage[]; more: boolean }> {
    const rows = await Message.findAll({
      where: { roomId, parentId: null, ...(beforeId ? { id: { [Op.lt]: beforeId } } : {}) },
      order: [['id', 'DESC']],
      limit: COMMUNITY_PAGE_SIZE + 1,
    });
    const more = rows.length > COMMUNITY_PAGE_SIZE;
    return { messages: rows.slice(0, COMMUNITY_PAGE_SIZE).reverse().map((r) => r.toPublic()), more };
  }

  async function reportView(messageId: number): Promise<CommunityReport | null> {
    const open = await Report.findAll({ where: { messageId, status: 'open' }, order: [['id', 'ASC']] });
    const first = open[0];
    if (!first) return null;
    return { id: first.id, message: (await message(messageId)).toPublic(), reason: first.reason, reports: open.length, createdAt: first.createdAt.toISOString() };
  }

  async function resolveReports(messageId: number, status: 'dismissed' | 'actioned', by: number): Promise<void> {
    await Report.update({ status, resolvedBy: by, resolvedAt: now() }, { where: { messageId, status: 'open' } });
  }

  return {
    models,
    ipHash,
    activeSanction,
    me,

    async rooms(caller: CommunityCaller): Promise<{ rooms: CommunityRoom[]; me: CommunityMe }> {
      const rows = await Room.findAll({ order: [['position', 'ASC'], ['id', 'ASC']] });
      return { rooms: rows.map((r) => r.toPublic()), me: await me(caller) };
    },

    roomIds: async (): Promise<number[]> => (await Room.findAll({ attributes: ['id'] })).map((r) => r.id),

    async setProfile(caller: CommunityCaller, displayName: string): Promise<CommunityMe> {
      if (caller.kind !== 'visitor') throw new ConflictError('The team posts under their own names.');
      if (nameClash(displayName, await deps.staffNames())) throw new RefusedError<CommunityRefusal>('name_reserved', 'This name is too close to a name of the team; choose another.');
      const at = now();
      const [profile, made] = await Profile.findOrCreate({ where: { visitorId: caller.visitorId }, defaults: { visitorId: caller.visitorId, displayName, lastIpHash: caller.ipHash, createdAt: at, updatedAt: at } });
      if (!made) await profile.update({ displayName, lastIpHash: caller.ipHash, updatedAt: at });
      return me(caller);
    },

    /** Remembers the address a visitor uses, so that banning them also bans it. */
    async seen(visitorId: string, hash: string): Promise<void> {
      await Profile.update({ lastIpHash: hash }, { where: { visitorId } });
    },

    async join(caller: CommunityCaller, roomId: number, present: number): Promise<CommunityJoined> {
      const [theRoom, newest, pinned, who] = await Promise.all([
        room(roomId),
        page(roomId),
        Message.findAll({ where: { roomId, pinned: true, deletedAt: null }, order: [['id', 'ASC']], limit: 20 }),
        me(caller),
      ]);
      return { room: theRoom, messages: newest.messages, more: newest.more, pinned: pinned.map((m) => m.toPublic()), present, me: who };
    },

    async history(roomId: number, beforeId?: number) {
      await room(roomId);
      return page(roomId, beforeId);
    },

    async thread(messageId: number): Promise<{ message: CommunityMessage; replies: CommunityMessage[] }> {
      const root = await message(messageId);
      if (root.parentId !== null) return this.thread(Number(root.parentId));
      const replies = await Message.findAll({ where: { parentId: root.id }, order: [['id', 'ASC']], limit: THREAD_MAX });
      return { message: root.toPublic(), replies: replies.map((r) => r.toPublic()) };
    },

    async post(caller: CommunityCaller, input: { roomId: number; clientId: string; text: string; parentId?: number | undefined }): Promise<{ message: CommunityMessage; duplicate: boolean; deliver: Deliver }> {
      const authorType = caller.kind === 'visitor' ? 'visitor' : 'staff';
      const authorId = caller.kind === 'visitor' ? caller.visitorId : String(caller.user.id);
      const earlier = await Message.findOne({ where: { authorType, authorId, clientId: input.clientId } });
      if (earlier) return { message: earlier.toPublic(), duplicate: true, deliver: () => undefined };
      await room(input.roomId);
      let displayName: string;
      if (caller.kind === 'visitor') {
        const sanction = await activeSanction(caller.visitorId, caller.ipHash);
        if (sanction) {
          throw sanction.kind === 'ban'
            ? new RefusedError<CommunityRefusal>('banned', `You are banned from the community until ${sanction.until.toISOString()}.`)
            : new RefusedError<CommunityRefusal>('muted', `You are muted until ${sanction.until.toISOString()}.`);
        }
        const profile = await Profile.findByPk(caller.visitorId);
        if (!profile) throw new RefusedError<CommunityRefusal>('no_name', 'Choose a display name first.');
        if (countLinks(input.text) > COMMUNITY_MAX_LINKS) throw new RefusedError<CommunityRefusal>('too_many_links', `At most ${COMMUNITY_MAX_LINKS} links per message.`);
        await postsByVisitor.consume(caller.visitorId);
        await postsByAddress.consume(caller.ipHash);
        displayName = profile.displayName;
      } else {
        displayName = caller.user.name;
      }
      let parent: CommunityMessageModel | null = null;
      if (input.parentId !== undefined) {
        parent = await message(input.parentId);
        if (parent.roomId !== input.roomId) throw new NotFoundError('No such message in this room.');
        if (parent.parentId !== null) throw new RefusedError<CommunityRefusal>('not_a_reply', 'Reply to the thread’s first message.');
        if (parent.deletedAt) throw new RefusedError<CommunityRefusal>('deleted', 'That message was removed.');
      }
      let row: CommunityMessageModel;
      try {
        row = await deps.sequelize.transaction(async (transaction) => {
          const created = await Message.create(
            { roomId: input.roomId, parentId: parent ? parent.id : null, authorType, authorId, displayName, clientId: input.clientId, body: input.text, createdAt: now() },
            { transaction },
          );
          if (parent) await Message.increment('replyCount', { by: 1, where: { id: parent.id }, transaction });
          return created;
        });
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        const again = await Message.findOne({ where: { authorType, authorId, clientId: input.clientId } });
        if (!again) throw error;
        return { message: again.toPublic(), duplicate: true, deliver: () => undefined };
      }
      const view = row.toPublic();
      const parentView = parent ? (await parent.reload()).toPublic() : null;
      return {
        message: view,
        duplicate: false,
        deliver: () => {
          deliveries.message(view);
          if (parentView) deliveries.updated(parentView);
        },
      };
    },

    async report(caller: CommunityCaller, messageId: number, reason: string | undefined): Promise<Deliver> {
      if (caller.kind !== 'visitor') throw new ConflictError('The team deletes instead of reporting.');
      const reported = await message(messageId);
      if (reported.deletedAt) return () => undefined;
      await reportsByVisitor.consume(caller.visitorId);
      try {
        await Report.create({ messageId, reporterId: caller.visitorId, reason: reason || null, status: 'open', createdAt: now() });
      } catch (error) {
        // Reporting twice counts once.
        if (isUniqueViolation(error)) return () => undefined;
        throw error;
      }
      log.info({ messageId, reporter: caller.visitorId }, 'community message reported');
      const view = await reportView(messageId);
      return () => {
        if (view) deliveries.reported(view);
      };
    },

    /** A thread taken to a private chat: routed like any chat (or a ticket when nobody can take it), the thread linked. */
    async askAgent(caller: CommunityCaller, input: { messageId: number; clientId: string; departmentId: number; language: string; text?: string | undefined }, socketId: string) {
      if (caller.kind !== 'visitor') throw new ConflictError('Only visitors ask the team.');
      const root = (await this.thread(input.messageId)).message;
      const profile = await Profile.findByPk(caller.visitorId);
      const quoted = root.deleted ? '' : `„${root.body.slice(0, 1500)}“`;
      const text = [input.text, quoted].filter(Boolean).join('\n\n') || `Community #${root.id}`;
      const started = await deps.chat.visitor.start(
        caller.visitorId,
        {
          clientId: input.clientId,
          departmentId: input.departmentId,
          language: input.language,
          name: profile?.displayName ?? root.author.displayName,
          channel: 'chat',
          // The thread, linked for the agent (shown as the page the visitor came from).
          page: `${deps.publicUrl}/community/#/thread/${root.id}`,
          text,
        },
        socketId,
      );
      log.info({ visitorId: caller.visitorId, threadId: root.id, conversationId: started.conversation.id }, 'community thread taken to an agent');
      return started;
    },

    // ------------------------------------------------------------- moderation (staff)

    async remove(caller: CommunityCaller, messageId: number): Promise<{ message: CommunityMessage; deliver: Deliver }> {
      const user = staffOnly(caller);
      const row = await message(messageId);
      if (!row.deletedAt) {
        await row.update({ deletedAt: now(), deletedBy: user.id, pinned: false, accepted: false });
        log.info({ messageId, by: user.id }, 'community message deleted');
      }
      await resolveReports(messageId, 'actioned', user.id);
      const view = row.toPublic();
      return { message: view, deliver: () => deliveries.updated(view) };
    },

    async pin(caller: CommunityCaller, messageId: number, on: boolean): Promise<{ message: CommunityMessage; deliver: Deliver }> {
      staffOnly(caller);
      const row = await message(messageId);
      if (row.deletedAt && on) throw new RefusedError<CommunityRefusal>('deleted', 'That message was removed.');
      await row.update({ pinned: on });
      const view = row.toPublic();
      return { message: view, deliver: () => deliveries.updated(view) };
    },

    /** One accepted answer per thread: marking a reply unmarks the one before. */
    async accept(caller: CommunityCaller, messageId: number, on: boolean): Promise<{ message: CommunityMessage; deliver: Deliver }> {
      staffOnly(caller);
      const row = await message(messageId);
      if (row.parentId === null) throw new RefusedError<CommunityRefusal>('not_a_reply', 'Only a reply can be the accepted answer.');
      if (row.deletedAt && on) throw new RefusedError<CommunityRefusal>('deleted', 'That message was removed.');
      const before = on ? await Message.findAll({ where: { parentId: row.parentId, accepted: true, id: { [Op.ne]: row.id } } }) : [];
      await deps.sequelize.transaction(async (transaction) => {
        if (on) await Message.update({ accepted: false }, { where: { parentId: row.parentId, accepted: true }, transaction });
        await row.update({ accepted: on }, { transaction });
      });
      const views = [...(await Promise.all(before.map(async (b) => (await b.reload()).toPublic()))), row.toPublic()];
      return { message: row.toPublic(), deliver: () => views.forEach((v) => deliveries.updated(v)) };
    },

    async sanction(caller: CommunityCaller, input: { visitorId: string; kind: SanctionKind; minutes: number; reason?: string | undefined }): Promise<{ sanction: CommunitySanction; deliver: Deliver }> {
      const user = staffOnly(caller);
      const profile = await Profile.findByPk(input.visitorId);
      const known = profile ?? (await Message.findOne({ where: { authorType: 'visitor', authorId: input.visitorId } }));
      if (!known) throw new NotFoundError('No such visitor in the community.');
      const until = new Date(now().getTime() + input.minutes * 60_000);
      const row = await Sanction.create({
        visitorId: input.visitorId,
        // Both kinds also hold for the visitor's address (see activeSanction).
        ipHash: profile?.lastIpHash ?? null,
        kind: input.kind,
        until,
        reason: input.reason || null,
        createdBy: user.id,
        createdAt: now(),
      });
      log.info({ visitorId: input.visitorId, kind: input.kind, minutes: input.minutes, by: user.id }, 'community sanction');
      return {
        sanction: row.toPublic(),
        deliver: () => deliveries.sanctioned(input.visitorId, { staff: false, displayName: profile?.displayName ?? null, muted: until.toISOString(), kind: input.kind, reason: row.reason }),
      };
    },

    async lift(caller: CommunityCaller, sanctionId: number): Promise<{ deliver: Deliver; visitorId: string; stillMuted: boolean }> {
      staffOnly(caller);
      const row = await Sanction.findByPk(sanctionId);
      if (!row) throw new NotFoundError('No such sanction.');
      if (!row.liftedAt) await row.update({ liftedAt: now() });
      const still = await sanctionNow(row.visitorId);
      const profile = await Profile.findByPk(row.visitorId);
      return {
        visitorId: row.visitorId,
        stillMuted: still !== null,
        deliver: () => deliveries.sanctioned(row.visitorId, { staff: false, displayName: profile?.displayName ?? null, muted: still ? still.until.toISOString() : null, kind: still?.kind ?? null, reason: still?.reason ?? null }),
      };
    },

    async sanctions(caller: CommunityCaller): Promise<CommunitySanction[]> {
      staffOnly(caller);
      const rows = await Sanction.findAll({ where: { until: { [Op.gt]: now() }, liftedAt: null }, order: [['until', 'ASC']], limit: 500 });
      return rows.map((r) => r.toPublic());
    },

    async reports(caller: CommunityCaller): Promise<CommunityReport[]> {
      staffOnly(caller);
      const open = await Report.findAll({ where: { status: 'open' }, attributes: ['messageId'], group: ['messageId'], raw: true });
      const views = (await Promise.all(open.map((r) => reportView(Number(r.messageId))))).filter((v): v is CommunityReport => v !== null);
      return views.sort((a, b) => b.reports - a.reports || a.createdAt.localeCompare(b.createdAt));
    },

    async resolve(caller: CommunityCaller, reportId: number, action: 'dismiss' | 'delete'): Promise<Deliver> {
      const user = staffOnly(caller);
      const report = await Report.findByPk(reportId);
      if (!report) throw new NotFoundError('No such report.');
      if (action === 'delete') return (await this.remove(caller, Number(report.messageId))).deliver;
      await resolveReports(Number(report.messageId), 'dismissed', user.id);
      return () => undefined;
    },

    /**
     * The room's voice, for the voice service: open or closed, and who may speak. Banned visitors
     * never get here (the namespace refuses them); muted ones listen.
     */
    async voiceAccess(roomId: number, caller: { role: 'visitor'; visitorId: string } | { role: 'agent'; agentId: number }): Promise<{ open: boolean; maySpeak: boolean } | null> {
      const row = await Room.findByPk(roomId);
      if (!row) return null;
      if (caller.role === 'agent') return { open: row.voiceOpen, maySpeak: true };
      const sanction = await sanctionNow(caller.visitorId);
      if (sanction?.kind === 'ban') return null;
      return { open: row.voiceOpen, maySpeak: !sanction };
    },

    /** Staff open or close a room's voice; closing also ends the voice room now (`closeVoice`). */
    async switchVoice(caller: CommunityCaller, roomId: number, open: boolean, closeVoice: () => Promise<void>): Promise<{ room: CommunityRoom; deliver: Deliver }> {
      const user = staffOnly(caller);
      const row = await Room.findByPk(roomId);
      if (!row) throw new NotFoundError('No such room.');
      await row.update({ voiceOpen: open });
      if (!open) await closeVoice();
      log.info({ roomId, open, by: user.id }, open ? 'community voice opened' : 'community voice closed');
      const view = row.toPublic();
      return { room: view, deliver: () => deliveries.room(view) };
    },

    /** Display name of a visitor (their voice name); null before they chose one. */
    async displayName(visitorId: string): Promise<string | null> {
      return (await Profile.findByPk(visitorId))?.displayName ?? null;
    },

    /** Where pushes go; the namespace sets this once it exists. */
    bindPushes(pushes: CommunityPushes): void {
      deliveries = pushes;
    },
  };
}

export type Community = ReturnType<typeof createCommunity>;
