import type { PreviousUpload, UrlStorage } from 'tus-js-client';

import { storage } from './storage';
import type { PickedVideo } from './upload.types';

const UPLOADS_KEY = 'clipscope.tusUploads';
const PENDING_KEY = 'clipscope.pendingUpload';
/** The keychain warns past 2 KB a value; a handful of unfinished uploads is all a phone needs. */
const MAX_KEPT = 5;

interface Entry extends PreviousUpload {
  fingerprint: string;
}

async function readEntries(): Promise<Entry[]> {
  const text = await storage.getItem(UPLOADS_KEY);
  if (!text) return [];
  try {
    const parsed = JSON.parse(text) as unknown;
    return Array.isArray(parsed) ? (parsed as Entry[]) : [];
  } catch {
    return [];
  }
}

async function writeEntries(entries: Entry[]): Promise<void> {
  if (entries.length === 0) await storage.deleteItem(UPLOADS_KEY);
  else await storage.setItem(UPLOADS_KEY, JSON.stringify(entries.slice(-MAX_KEPT)));
}

/** tus-js-client's record of upload URLs, kept in the app's own storage (keychain; web: localStorage). */
export const tusUrlStorage: UrlStorage = {
  findAllUploads: async () => readEntries(),
  findUploadsByFingerprint: async (fingerprint) => (await readEntries()).filter((e) => e.fingerprint === fingerprint),
  removeUpload: async (urlStorageKey) => writeEntries((await readEntries()).filter((e) => e.urlStorageKey !== urlStorageKey)),
  addUpload: async (fingerprint, upload) => {
    const urlStorageKey = `${fingerprint}::${upload.creationTime}`;
    const others = (await readEntries()).filter((e) => e.fingerprint !== fingerprint);
    await writeEntries([...others, { ...upload, fingerprint, urlStorageKey }]);
    return urlStorageKey;
  },
};

/** Forgets every stored URL of one file, so the next upload of it starts a new one. */
export async function forgetUploads(fingerprint: string): Promise<void> {
  await writeEntries((await readEntries()).filter((e) => e.fingerprint !== fingerprint));
}

/** The picked video and its key, kept until its upload ends, so a killed app carries on. */
export interface PendingUpload {
  video: Omit<PickedVideo, 'file'>;
  idempotencyKey: string;
}

export async function loadPending(): Promise<PendingUpload | null> {
  const text = await storage.getItem(PENDING_KEY);
  if (!text) return null;
  try {
    const parsed = JSON.parse(text) as Partial<PendingUpload> | null;
    return parsed?.video?.uri && parsed.idempotencyKey ? (parsed as PendingUpload) : null;
  } catch {
    return null;
  }
}

export async function savePending(pending: PendingUpload | null): Promise<void> {
  if (!pending) await storage.deleteItem(PENDING_KEY);
  else await storage.setItem(PENDING_KEY, JSON.stringify(pending));
}
