import { Op } from 'sequelize';
import type { Models } from '../db/models/index.js';

const SAMPLE = 50;
const WINDOW_MS = 7 * 24 * 3600_000;
const CACHE_MS = 60_000;

/**
 * Average handle time (accepted → closed) of the department's recent chats, falling back to all
 * departments and finally to a configured prior when there is no history yet.
 */
export function createHandleTimes(models: Models, priorSeconds: number, now: () => Date) {
  // Promises are cached, not values: a burst of chat requests asking at once shares one query.
  const cache = new Map<number | 'all', { seconds: Promise<number | null>; at: number }>();

  async function query(departmentId: number | 'all', t: number): Promise<number | null> {
    const rows = await models.Conversation.findAll({
      where: {
        status: 'closed',
        acceptedAt: { [Op.ne]: null },
        closedAt: { [Op.gte]: new Date(t - WINDOW_MS) },
        ...(departmentId === 'all' ? {} : { departmentId }),
      },
      attributes: ['acceptedAt', 'closedAt'],
      order: [['closedAt', 'DESC']],
      limit: SAMPLE,
    });
    const durations = rows.map((r) => (r.closedAt!.getTime() - r.acceptedAt!.getTime()) / 1000).filter((s) => s > 0);
    return durations.length ? durations.reduce((a, b) => a + b, 0) / durations.length : null;
  }

  function average(departmentId: number | 'all'): Promise<number | null> {
    const hit = cache.get(departmentId);
    const t = now().getTime();
    if (hit && t - hit.at < CACHE_MS) return hit.seconds;
    const seconds = query(departmentId, t);
    cache.set(departmentId, { seconds, at: t });
    // A failed read is not remembered: the next caller asks again.
    seconds.catch(() => {
      if (cache.get(departmentId)?.seconds === seconds) cache.delete(departmentId);
    });
    return seconds;
  }

  return {
    async seconds(departmentId: number): Promise<number> {
      return (await average(departmentId)) ?? (await average('all')) ?? priorSeconds;
    },
    /** Forget cached averages (a chat just closed). */
    invalidate(departmentId: number) {
      cache.delete(departmentId);
      cache.delete('all');
    },
  };
}

export type HandleTimes = ReturnType<typeof createHandleTimes>;
