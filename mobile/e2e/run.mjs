// End-to-end: the exported web app beside the real backend, driven in Debian's Chromium.
// Usage (from mobile/): node e2e/run.mjs. It fails when it cannot run (no Chromium, no venv): it
// never skips. E2E_SCREENSHOTS=1 (`make screenshots`) writes docs/screenshots; otherwise the
// pictures go to a temporary folder and the committed ones are left alone.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

import { freePort, makeVideo, startBackend } from './backend.mjs';
import { runFlow } from './flow.mjs';
import { serveStatic } from './static.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const mobile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repo = path.resolve(mobile, '..');
const updateShots = process.env.E2E_SCREENSHOTS === '1';
const started = Date.now();
const log = (text) => console.log(`[e2e ${((Date.now() - started) / 1000).toFixed(1)}s] ${text}`);

if (!existsSync(CHROMIUM)) {
  console.error(`e2e: FAILED: Chromium is not installed at ${CHROMIUM} (apt-get install chromium); the browser test never skips.`);
  console.log('e2e: 0 passed, 1 failed');
  process.exit(1);
}

const work = mkdtempSync(path.join(os.tmpdir(), 'clipscope-e2e-'));
const shotsDir = updateShots ? path.join(repo, 'docs', 'screenshots') : path.join(work, 'screenshots');
const cleanups = [];
let failed = false;
try {
  mkdirSync(shotsDir, { recursive: true });
  // 40 letters without a space, as phones name files: it must wrap, never run off a card.
  const video = path.join(work, 'IMG20261130harbourwalktenminutesfinal.mp4');
  log('generating a 10-minute low-resolution clip and starting the backend');
  makeVideo(repo, video, { seconds: 600, width: 192, height: 108, fps: 15 });
  // A file named like a video that is not one: the server refuses it (415).
  const notVideo = path.join(work, 'holiday-notes.mp4');
  writeFileSync(notVideo, 'These are my holiday notes, not a video.\n'.repeat(200));
  // Two short clips for a batch (different lengths: not the same video twice).
  const clips = [path.join(work, 'beach-morning.mp4'), path.join(work, 'beach-evening.mp4')];
  makeVideo(repo, clips[0], { seconds: 6, width: 320, height: 180, fps: 15 });
  makeVideo(repo, clips[1], { seconds: 8, width: 320, height: 180, fps: 15 });
  const backend = await startBackend(repo, work);
  cleanups.push(() => backend.stop());
  log(`backend at ${backend.url}`);

  log('exporting the web app (expo export --platform web)');
  const dist = path.join(work, 'dist');
  execFileSync('npx', ['expo', 'export', '--platform', 'web', '--output-dir', dist], {
    cwd: mobile,
    env: { ...process.env, EXPO_PUBLIC_API_URL: backend.url, CI: '1', EXPO_NO_TELEMETRY: '1', EXPO_OFFLINE: '1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const server = await serveStatic(dist, await freePort());
  cleanups.push(() => server.close());
  const appUrl = `http://127.0.0.1:${server.address().port}`;
  log(`web app at ${appUrl}`);

  const context = await chromium.launchPersistentContext(path.join(work, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    deviceScaleFactor: 2,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  cleanups.push(() => context.close());
  const pageErrors = [];
  context.on('page', (p) => p.on('pageerror', (e) => pageErrors.push(String(e))));
  for (const p of context.pages()) p.on('pageerror', (e) => pageErrors.push(String(e)));

  try {
    const outcome = await runFlow({ context, appUrl, backend, video, notVideo, clips, shotsDir, log });
    log(`results: ${outcome.thumbs} thumbnails, ${outcome.bars} chart bars, narrowest ${outcome.narrowest.toFixed(1)} px`);
  } catch (error) {
    const page = context.pages()[0];
    const failure = path.join(mobile, 'e2e', '.artifacts', 'failure.png');
    mkdirSync(path.dirname(failure), { recursive: true });
    await page?.screenshot({ path: failure }).catch(() => undefined);
    console.error(`e2e: failure screenshot at ${failure}`);
    if (pageErrors.length) console.error(`page errors:\n${pageErrors.join('\n')}`);
    console.error(`backend log (tail):\n${readFileSync(backend.logFile, 'utf8').split('\n').slice(-30).join('\n')}`);
    throw error;
  }
} catch (error) {
  failed = true;
  console.error(`e2e: ${error instanceof Error ? error.stack : error}`);
} finally {
  for (const cleanup of cleanups.reverse()) await Promise.resolve().then(cleanup).catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
}

log(updateShots ? `done; screenshots written to ${shotsDir}` : 'done');
console.log(failed ? 'e2e: 0 passed, 1 failed' : 'e2e: 1 passed, 0 failed');
process.exit(failed ? 1 : 0);
