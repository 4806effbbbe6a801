import type { types as ms } from 'mediasoup';
import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import { locateWorkerBinary } from './workerBinary.js';

type Mediasoup = typeof import('mediasoup');

/** Opus only: a voice desk. 48 kHz stereo is how browsers negotiate Opus; the codec adapts the rest. */
export const MEDIA_CODECS: ms.RouterRtpCodecCapability[] = [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, parameters: { useinbandfec: 1, usedtx: 1 } }];

export type VoiceAvailability = { available: true; reason: null; workers: number; binary: string } | { available: false; reason: string; summary: string; fix: string | null };

/**
 * mediasoup workers, one process each, never more than the machine's cores (mediasoup-demo's
 * rule). Rooms go to the worker carrying the fewest routers; a worker that dies is replaced and
 * the rooms it carried are told through their routers' close.
 */
export interface WorkerPool {
  readonly availability: VoiceAvailability;
  /** A router for a new room; throws when voice is unavailable. */
  createRouter(): Promise<ms.Router>;
  workers(): ms.Worker[];
  close(): Promise<void>;
}

/** `reason` goes to the log and the start banner (it may name paths); `summary`, path-free, to clients. */
export function unavailablePool(reason: string, fix: string | null, summary: string = reason): WorkerPool {
  return {
    availability: { available: false, reason, summary, fix },
    createRouter: () => Promise.reject(new Error(`voice is unavailable: ${reason}`)),
    workers: () => [],
    close: async () => undefined,
  };
}

export async function startWorkerPool(config: Pick<Config['voice'], 'enabled' | 'workers' | 'logLevel'>, log: Logger): Promise<WorkerPool> {
  if (!config.enabled) return unavailablePool('voice is switched off (VOICE_ENABLED=false)', 'set VOICE_ENABLED=true');
  const binary = await locateWorkerBinary();
  if (!binary.ok) return unavailablePool(binary.reason, binary.fix, binary.summary);
  // mediasoup reads the binary's path when it is first loaded.
  process.env.MEDIASOUP_WORKER_BIN = binary.path;
  let mediasoup: Mediasoup;
  try {
    mediasoup = await import('mediasoup');
  } catch (error) {
    return unavailablePool(`the mediasoup package could not be loaded: ${(error as Error).message}`, 'run npm ci', 'the mediasoup package could not be loaded');
  }

  const routers = new Map<ms.Worker, number>();
  let closing = false;

  const spawn = async (): Promise<ms.Worker> => {
    const worker = await mediasoup.createWorker({ logLevel: config.logLevel });
    routers.set(worker, 0);
    worker.observer.on('newrouter', (router) => {
      routers.set(worker, (routers.get(worker) ?? 0) + 1);
      router.observer.on('close', () => routers.set(worker, Math.max(0, (routers.get(worker) ?? 1) - 1)));
    });
    worker.on('died', (error) => {
      routers.delete(worker);
      if (closing) return;
      log.error({ err: error, pid: worker.pid }, 'mediasoup worker died; its calls ended; starting a new one');
      spawn().catch((e: unknown) => log.error({ err: e }, 'could not replace the mediasoup worker'));
    });
    return worker;
  };

  try {
    for (let i = 0; i < config.workers; i++) await spawn();
  } catch (error) {
    for (const worker of routers.keys()) worker.close();
    return unavailablePool(`the mediasoup worker (${binary.path}) did not start: ${(error as Error).message}`, 'run npm run voice:worker to rebuild it', 'the mediasoup worker did not start');
  }

  return {
    availability: { available: true, reason: null, workers: config.workers, binary: binary.path },
    async createRouter() {
      const [least] = [...routers.entries()].filter(([w]) => !w.closed).sort((a, b) => a[1] - b[1]);
      if (!least) throw new Error('no mediasoup worker is running');
      return least[0].createRouter({ mediaCodecs: MEDIA_CODECS });
    },
    workers: () => [...routers.keys()],
    async close() {
      closing = true;
      for (const worker of routers.keys()) worker.close();
      routers.clear();
    },
  };
}

/** Where WebRTC transports listen, on UDP and TCP, from the configuration. */
export function listenInfos(config: Pick<Config['voice'], 'listenIp' | 'announcedAddress' | 'portMin' | 'portMax'>): ms.TransportListenInfo[] {
  const base = { ip: config.listenIp, portRange: { min: config.portMin, max: config.portMax }, ...(config.announcedAddress ? { announcedAddress: config.announcedAddress } : {}) };
  return [
    { protocol: 'udp', ...base },
    { protocol: 'tcp', ...base },
  ];
}
