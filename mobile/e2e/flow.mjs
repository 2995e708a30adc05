// The user's path through the exported web app, in Chromium, with a screenshot of every screen.
// Every wait is on something on screen (or in the server), never on time.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

import {
  accountActions,
  batchProgress,
  darkHistory,
  deepLinkDuringOutage,
  historyNamesAt320,
  jobOutage,
  playerOnScreen,
  serverAddressInWords,
  shareFallback,
  uploadOutage,
} from './afternoon.mjs';

const PHONE = { width: 400, height: 860 };
const SMALL_PHONE = { width: 320, height: 640 };

/** Records every value the progress bars show, even ones that are on screen for a moment. */
function watchProgressBars() {
  window.__progress = { 'upload-progress': [], 'job-progress': [] };
  const record = () => {
    for (const [id, seen] of Object.entries(window.__progress)) {
      const value = document.querySelector(`[data-testid="${id}"]`)?.getAttribute('aria-valuenow');
      if (value === null || value === undefined) continue;
      const n = Number(value);
      if (seen.at(-1) !== n) seen.push(n);
    }
  };
  new MutationObserver(record).observe(document, { subtree: true, childList: true, attributes: true });
}

export async function runFlow({ context, appUrl, backend, video, notVideo, clips, shotsDir, log }) {
  const page = context.pages()[0] ?? (await context.newPage());
  await page.setViewportSize(PHONE);
  await page.addInitScript(watchProgressBars);
  // A browser without the Web Share API, so "Share a summary" always takes its fallback.
  await page.addInitScript(() => {
    delete Navigator.prototype.share;
    delete Navigator.prototype.canShare;
  });
  // Copying the summary must not wait on a permission prompt nobody answers.
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: appUrl });
  const shot = async (name) => {
    // Pictures wait for the fonts and for no image still loading; never for a fixed time.
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
    await page.waitForFunction(() => [...document.images].every((img) => img.complete));
    await page.screenshot({ path: path.join(shotsDir, `${name}.png`) });
    log(`screenshot ${name}.png`);
  };
  const step = (text) => log(`step: ${text}`);
  const noJavaScriptErrorText = async () => {
    const text = await page.locator('body').innerText();
    for (const bad of ['Cannot read properties', 'undefined is not', 'TypeError', 'Idempotency-Key', 'Something went wrong']) {
      if (text.includes(bad)) throw new Error(`the page shows "${bad}":\n${text.slice(0, 500)}`);
    }
  };

  step('open the app: it asks to sign in');
  await page.goto(appUrl);
  await page.getByTestId('sign-in-screen').waitFor();
  await shot('01-sign-in');

  step('"hello world" is not an address, and "Change" can be cancelled');
  await serverAddressInWords(page, shot);

  step('a wrong server address is refused in words (the static web server is not Clipscope)');
  await page.getByTestId('change-server').click();
  await page.getByTestId('server-url-input').fill(appUrl);
  await page.getByTestId('save-server').click();
  await page.getByText('Not a Clipscope server').waitFor();
  await noJavaScriptErrorText();
  await shot('02-wrong-server');
  step('the right address, typed without http://, is checked and kept');
  await page.getByTestId('server-url-input').fill(backend.url.replace('http://', ''));
  await page.getByTestId('save-server').click();
  await page.getByText(`Server: ${backend.url}`).waitFor();

  step('create an account');
  await page.getByRole('tab', { name: 'Create account' }).click();
  await page.getByTestId('email-input').fill('maya@example.com');
  await page.getByTestId('password-input').fill('correct horse battery');
  await page.getByTestId('submit-button').click();
  await page.getByTestId('upload-screen').waitFor();
  await shot('03-upload');

  step('a file that is not a video is refused, without "Try again"');
  let chooser = page.waitForEvent('filechooser');
  await page.getByTestId('pick-video').click();
  await (await chooser).setFiles(notVideo);
  await page.getByTestId('picked-name').filter({ hasText: path.basename(notVideo) }).waitFor();
  await page.getByTestId('upload-button').click();
  await page.getByTestId('error-title').filter({ hasText: 'Not a video we can read' }).waitFor();
  if (await page.getByText('Try again').count()) throw new Error('"Try again" is offered for a file that is not a video');
  // The refusal is the whole story: no bar at "100 %" and no "Upload stopped." beside it.
  if (await page.getByTestId('upload-progress').count()) throw new Error('a refused file still shows an upload bar');
  await noJavaScriptErrorText();
  await shot('04-refused-file');

  step('pick the 10-minute clip instead');
  chooser = page.waitForEvent('filechooser');
  await page.getByTestId('choose-another').click();
  await (await chooser).setFiles(video);
  await page.getByTestId('picked-name').filter({ hasText: path.basename(video) }).waitFor();
  await page.getByTestId('picked-duration').filter({ hasText: '10:00' }).waitFor();
  await insideCard(page, 'picked-name', 'picked-video');
  await shot('05-picked');

  step('upload it with tus (throttled so its progress shows); the server is killed mid-upload, stays down, and comes back');
  const tusRequests = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname.startsWith('/api/uploads')) tusRequests.push(request.method());
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 512 * 1024 });
  await page.getByTestId('upload-button').click();
  await page.getByTestId('upload-progress').waitFor();
  await page.waitForFunction(() => {
    const now = Number(document.querySelector('[data-testid="upload-progress"]')?.getAttribute('aria-valuenow'));
    return now > 0 && now < 100;
  });
  await shot('06-uploading');
  // Cut once the server has written at least 1 MiB of the file: a resume must go on from there.
  const total = statSync(video).size;
  const kept = await waitFor(() => {
    const bytes = tusBytesOnServer(backend.uploadsDir);
    return bytes >= 1024 * 1024 ? bytes : null;
  }, 60_000, 'the server to hold 1 MiB of the upload');
  const seenBeforeCut = await page.evaluate(() => window.__progress['upload-progress'].length);
  log(`killing the server (SIGKILL) with ${kept} of ${total} bytes uploaded; it stays down a while`);
  await uploadOutage({ page, backend, tusRequests, log, shot });
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  await page.getByTestId('job-screen').waitFor({ timeout: 120_000 });
  const afterCut = (await page.evaluate(() => window.__progress['upload-progress'])).slice(seenBeforeCut);
  log(`upload progress after the cut: ${afterCut.join(' → ')} %; tus requests: ${tusRequests.join(' ')}`);
  const creations = tusRequests.filter((method) => method === 'POST').length;
  if (creations !== 1) throw new Error(`the clip's upload was created ${creations} times: a resume must not start a new upload`);
  if (!tusRequests.includes('HEAD')) throw new Error('the upload never asked the server where it stood (HEAD)');
  const floor = Math.floor((kept / total) * 100);
  if (afterCut.some((value) => value < floor)) {
    throw new Error(`the upload started over: its bar went below the ${floor} % the server had (${afterCut.join(', ')})`);
  }
  await noJavaScriptErrorText();

  step('watch the job; the server dies mid-analysis, stays down a while (Offline, steady), and comes back while the app polls');
  await page.getByTestId('job-screen').waitFor();
  // Killed once the page shows the job at least a third done (the analysis of 9,000 frames,
  // the learned shot model included, takes minutes, so the waits allow minutes): the second
  // attempt needs as long again to pass that figure, so the app's first poll after the restart
  // (delayed by its retry back-off while the server was down) still sees the progress go back.
  // Killed earlier, a fast second attempt could pass it unseen.
  await page.waitForFunction(() => {
    const now = Number(document.querySelector('[data-testid="job-progress"]')?.getAttribute('aria-valuenow'));
    return now >= 35 && now < 90;
  }, null, { timeout: 900_000 });
  // The web has no push: the page must not promise a notification.
  if ((await page.locator('body').innerText()).includes('we notify you')) throw new Error('the web page promises a notification');
  const before = await page.getByTestId('job-progress').getAttribute('aria-valuenow');
  log(`killing the server (SIGKILL) at ${before} %; it stays down a while`);
  await jobOutage({ page, backend, log, shot });
  await page.getByTestId('job-restarted').waitFor({ timeout: 60_000 });
  const restarted = (await page.getByTestId('job-restarted').innerText()).trim();
  log(`the app says: ${restarted}`);
  if (!restarted.endsWith('Restarted on the server: attempt 2.')) throw new Error(`unexpected restart notice: ${restarted}`);
  await noJavaScriptErrorText();
  await shot('07-job-restarted');

  step('the results open by themselves');
  await page.getByTestId('results-screen').waitFor({ timeout: 1_200_000 });
  const progress = await page.evaluate(() => window.__progress);
  log(`upload progress seen: ${progress['upload-progress'].join(' → ')} %`);
  log(`job progress seen: ${progress['job-progress'].join(' → ')} %`);
  const seen = progress['job-progress'];
  const fell = seen.some((value, i) => i > 0 && value < seen[i - 1]);
  if (!fell) throw new Error(`the job's progress never went back at the restart (saw ${seen.join(', ')})`);

  step('what a person sees of the 10-minute clip: bars as wide as they can be read, highlights, m:ss axis');
  const chart = await checkMotionChart(page);
  await page.waitForFunction(() => {
    const images = [...document.querySelectorAll('[data-testid="scene-strip"] img')];
    return images.length > 0 && images.every((img) => img.complete && img.naturalWidth > 0);
  });
  const thumbs = await page.locator('[data-testid="scene-strip"] img').count();
  await page.locator('video').first().waitFor();
  if (!(await page.locator('video').first().evaluate((v) => v.paused))) throw new Error('the video plays by itself');
  await shotWhole(page, 'results-screen', () => shot('08-results'));

  step('a tapped highlight plays on screen, muted, from a stream (not a whole-file download)');
  const played = await playerOnScreen(page);
  log(`player: muted ${played.muted}, top ${played.top.toFixed(0)} px, ${played.buffered.toFixed(0)} of ${played.duration.toFixed(0)} s buffered`);
  await shot('08a-player-on-screen');
  step('"Share a summary" does something without the Web Share API');
  await shareFallback(page, log, shot);

  step('at 320 points wide nothing is cut: the summary values fit their boxes');
  await page.setViewportSize(SMALL_PHONE);
  await page.getByTestId('summary').scrollIntoViewIfNeeded();
  await checkSummaryFits(page);
  await insideCard(page, 'results-title', 'results-screen');
  await shot('09-results-320');
  await page.setViewportSize(PHONE);

  step('the results page reloaded (a deep link) while the server is down: Offline at once, steady, a way out; back by itself');
  await deepLinkDuringOutage({ page, backend, log, shot });

  step('several videos go as one batch, with a bar, the names and a stop button while they are sent');
  await page.goto(appUrl);
  await batchProgress({ page, context, clips, shot, log });

  step('history lists the job with its thumbnail');
  await page.goto(`${appUrl}/history`);
  await page.getByTestId('history-screen').waitFor();
  await page.getByText(path.basename(video)).first().waitFor();
  await page.waitForFunction(() => {
    const images = [...document.querySelectorAll('[data-testid^="history-thumb-"] img')];
    return images.length > 0 && images.every((img) => img.complete && img.naturalWidth > 0);
  });
  await shot('10-history');
  step('the header refresh button on History asks the server again');
  const asked = page.waitForRequest((r) => r.method() === 'GET' && new URL(r.url()).pathname === '/api/jobs', { timeout: 10_000 });
  await page.getByTestId('header-refresh').click();
  await asked;
  await page.getByTestId('recent-batches').waitFor();
  await page.setViewportSize(SMALL_PHONE);
  await historyNamesAt320(page, path.basename(video), shot);
  await page.setViewportSize(PHONE);

  step('History leads back to the batch');
  await page.locator('[data-testid^="batch-row-"]').first().click();
  await page.getByTestId('batch-screen').waitFor();

  step('settings');
  await page.goto(`${appUrl}/settings`);
  await page.getByTestId('settings-screen').waitFor();
  await shot('11-settings');

  step('change the password, sign out everywhere, sign in again with the new one (prefilled e-mail, to Upload)');
  await accountActions({ page, email: 'maya@example.com', oldPassword: 'correct horse battery', newPassword: 'staple battery horse 2', shot });

  step('dark mode at 320 px');
  await page.setViewportSize(SMALL_PHONE);
  await darkHistory({ page, appUrl, shot });
  await page.setViewportSize(PHONE);

  step('sign out returns to sign-in');
  await page.goto(`${appUrl}/settings`);
  await page.getByTestId('sign-out').click();
  await page.getByTestId('sign-in-screen').waitFor();
  return { thumbs, bars: chart.bars, narrowest: chart.narrowest, progress: seen };
}

/** Bytes of unfinished tus uploads on the server's disk (<uploads>/tus/<user>/<upload>/data). */
function tusBytesOnServer(uploadsDir) {
  let bytes = 0;
  const root = path.join(uploadsDir, 'tus');
  const list = (dir) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  for (const user of list(root)) {
    for (const upload of list(path.join(root, user))) {
      try {
        bytes += statSync(path.join(root, user, upload, 'data')).size;
      } catch {
        // not written yet, or finished and moved
      }
    }
  }
  return bytes;
}

/** Polls a condition (a file on disk, not the page) until it gives a value; fails after the deadline. */
async function waitFor(check, timeoutMs, what) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== null) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Bars measured on screen: every one at least 2 px wide, highlights visible, axis ends at 10:00. */
async function checkMotionChart(page) {
  const chart = page.getByTestId('motion-chart');
  await chart.waitFor();
  const measured = await chart.evaluate((plot) => {
    const bars = [...plot.children].map((bar) => {
      const box = bar.getBoundingClientRect();
      return { width: box.width, height: box.height, highlight: bar.getAttribute('data-testid') === 'motion-bar-highlight' };
    });
    return { plotWidth: plot.getBoundingClientRect().width, bars };
  });
  const narrowest = Math.min(...measured.bars.map((b) => b.width));
  const visibleHighlights = measured.bars.filter((b) => b.highlight && b.width >= 2 && b.height >= 2).length;
  if (measured.bars.length < 20) throw new Error(`the motion chart has ${measured.bars.length} bars`);
  if (narrowest < 2) throw new Error(`a motion bar is ${narrowest.toFixed(2)} px wide: too thin to see`);
  if (visibleHighlights === 0) throw new Error('no highlight bar is visible on the motion chart');
  const ticks = await page.getByTestId('motion-axis').innerText();
  if (!/^0:00\s+5:00\s+10:00$/.test(ticks.trim())) throw new Error(`the motion axis reads "${ticks}"`);
  return { bars: measured.bars.length, narrowest };
}

/** No summary value is wider than its box (cut) and no label wraps to a second line. */
async function checkSummaryFits(page) {
  const problems = await page.getByTestId('summary').evaluate((card) => {
    const out = [];
    for (const text of card.querySelectorAll('div[dir="auto"]')) {
      const style = getComputedStyle(text);
      const lines = Math.round(text.getBoundingClientRect().height / parseFloat(style.lineHeight || style.fontSize));
      if (text.scrollWidth > text.clientWidth + 1) out.push(`"${text.innerText}" is cut`);
      if (text.innerText === 'Resolution' && lines > 1) out.push('"Resolution" wraps');
    }
    return out;
  });
  if (problems.length) throw new Error(`at 320 px: ${problems.join('; ')}`);
}

/** The text's box ends inside its container's (a long name wraps instead of running off). */
async function insideCard(page, textId, cardId) {
  const text = await page.getByTestId(textId).boundingBox();
  const card = await page.getByTestId(cardId).boundingBox();
  if (!text || !card || text.x + text.width > card.x + card.width + 0.5) {
    throw new Error(`${textId} runs off ${cardId}: ${JSON.stringify({ text, card })}`);
  }
}

/** React Native Web scrolls inside a view, not the page: grow the viewport to picture it all. */
async function shotWhole(page, testId, take) {
  const height = await page.getByTestId(testId).evaluate((el) => el.scrollHeight);
  await page.setViewportSize({ width: PHONE.width, height: Math.min(4000, Math.max(PHONE.height, height + 120)) });
  await take();
  await page.setViewportSize(PHONE);
}
