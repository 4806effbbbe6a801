import { Router } from 'express';
import { ok } from '../../../shared/ack.js';
import type { Database } from '../db/database.js';
import { UnavailableError } from '../errors/errors.js';
import type { Metrics } from '../metrics/metrics.js';
import { VERSION } from '../version.js';
import type { VoiceStatus } from '../../../shared/schemas/voice.js';

export function healthRoutes(db: Database, metrics: Metrics, startedAt: Date, node: { nodeId: string; cluster: boolean; voice: () => VoiceStatus }): Router {
  const router = Router();
  router.get('/health', async (_req, res) => {
    try {
      await db.ping();
    } catch {
      throw new UnavailableError(`Database (${db.dialect}) unreachable.`);
    }
    res.setHeader('Cache-Control', 'no-store');
    res.json(ok({ status: 'ok', version: VERSION, database: db.dialect, node: node.nodeId, cluster: node.cluster, voice: node.voice(), uptimeSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000) }));
  });
  router.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });
  return router;
}
