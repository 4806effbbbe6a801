import { randomUUID } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileTypeFromBuffer } from 'file-type';

/** What may be attached, by type detected from the bytes (the uploader's claim is ignored). */
export const ALLOWED_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf']);

const RECORDING_TYPES: Record<string, string> = {
  'audio/webm': 'audio/webm',
  'video/webm': 'audio/webm',
  'audio/ogg': 'audio/ogg',
  'audio/opus': 'audio/ogg',
  'audio/mp4': 'audio/mp4',
  'video/mp4': 'audio/mp4',
  'audio/x-m4a': 'audio/mp4',
};

/** Files under DATA_DIR/attachments, named by random keys so no user input reaches a path. */
export function createAttachmentStore(dataDir: string) {
  const dir = path.join(dataDir, 'attachments');
  const fileOf = (key: string) => {
    if (!/^[0-9a-f-]{36}$/.test(key)) throw new Error('bad storage key');
    return path.join(dir, key);
  };
  return {
    /** The detected MIME type, or null when the content is none of the allowed types. */
    async detect(bytes: Buffer): Promise<string | null> {
      const type = await fileTypeFromBuffer(bytes);
      return type && ALLOWED_TYPES.has(type.mime) ? type.mime : null;
    },
    /**
     * A voicemail's recording: Opus in WebM or Ogg (Chromium, Firefox) or AAC in MP4 (Safari), by
     * content. WebM and MP4 are containers file-type reports as video; stored as the audio they hold.
     */
    async detectAudio(bytes: Buffer): Promise<string | null> {
      const type = await fileTypeFromBuffer(bytes);
      // Ogg with Opus (Firefox's recordings) is reported as `audio/ogg; codecs=opus`: the container decides.
      return type ? (RECORDING_TYPES[type.mime.split(';')[0]!.trim()] ?? null) : null;
    },
    async save(bytes: Buffer): Promise<string> {
      await fs.mkdir(dir, { recursive: true });
      const key = randomUUID();
      await fs.writeFile(fileOf(key), bytes, { flag: 'wx' });
      return key;
    },
    open: (key: string): ReadStream => createReadStream(fileOf(key)),
    remove: (key: string) => fs.rm(fileOf(key), { force: true }),
  };
}

export type AttachmentStore = ReturnType<typeof createAttachmentStore>;
