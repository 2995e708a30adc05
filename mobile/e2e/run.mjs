// End-to-end: the exported web app beside the real backend, driven in Debian's Chromium.
// Usage (from mobile/): node e2e/run.mjs   — CI=true makes a missing Chromium a failure.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
const shotsDir = path.join(repo, 'docs', 'screenshots');
const started = Date.now();
const log = (text) => console.log(`[e2e ${((Date.now() - started) / 1000).toFixed(1)}s] ${text}`);

if (!existsSync(CHROMIUM)) {
  if (process.env.CI === 'true') {
    console.error(`e2e: FAILED: Chromium is not installed at ${CHROMIUM}, and under CI=true the browser test must run.`);
    process.exit(1);
  }
  console.log(`e2e: skipped: chromium not available (${CHROMIUM} is missing; install Debian's chromium package).`);
  console.log('e2e: 0 passed, 0 failed, 1 skipped');
  process.exit(0);
}

const work = mkdtempSync(path.join(os.tmpdir(), 'clipscope-e2e-'));
const cleanups = [];
let failed = false;
try {
  mkdirSync(shotsDir, { recursive: true });
  const video = path.join(work, 'harbour-walk.mp4');
  log('generating a test video and starting the backend');
  makeVideo(repo, video, { seconds: 90, width: 640, height: 360 });
  const backend = await startBackend(repo, work);
  cleanups.push(backend.stop);
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
    const outcome = await runFlow({ context, appUrl, video, shotsDir, log });
    log(`results: ${outcome.thumbs} thumbnails, ${outcome.bars} chart bars`);
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

log('done');
console.log(failed ? 'e2e: 0 passed, 1 failed' : 'e2e: 1 passed, 0 failed');
process.exit(failed ? 1 : 0);
