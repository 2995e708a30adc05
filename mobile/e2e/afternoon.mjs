// Steps of "a bad afternoon" (issue 23), used by flow.mjs: outages said at once and ridden out by
// themselves, a deep link with a way out, a muted on-screen player that streams, batch progress,
// 320 px names, dark mode and every account action. Every wait is on the page, never on time.

/**
 * How the page looked over time: whether the outage notice, once shown, ever went away. Only a
 * notice on screen counts (the web's stack keeps the screens beneath in the page, hidden).
 */
function watchNotice() {
  window.__notice = { shown: 0, gone: 0 };
  let was = false;
  const record = () => {
    const now = [...document.querySelectorAll('[data-testid="error-notice"]')].some((n) => n.checkVisibility());
    if (now && !was) window.__notice.shown += 1;
    if (!now && was) window.__notice.gone += 1;
    was = now;
  };
  new MutationObserver(record).observe(document, { subtree: true, childList: true, attributes: true });
  record();
}

/** "hello world" is not an address (not "Offline … hello%20world"), and "Change" can be cancelled. */
export async function serverAddressInWords(page, shot) {
  await page.getByTestId('change-server').click();
  await page.getByTestId('server-url-input').fill('hello world');
  await page.getByTestId('save-server').click();
  await page.getByTestId('error-title').filter({ hasText: 'Not a web address' }).waitFor();
  if (await page.getByText('hello%20world').count()) throw new Error('the address was percent-encoded instead of refused');
  await shot('01b-not-an-address');
  await page.getByTestId('cancel-server').click();
  await page.getByTestId('change-server').waitFor();
}

/**
 * The server is killed mid-upload and stays down: the card says so within seconds (not minutes of
 * "Uploading…"), keeps asking, and once the server is back the upload carries on with no tap.
 */
export async function uploadOutage({ page, backend, tusRequests, log, shot }) {
  const killedAt = Date.now();
  await backend.crash();
  const headsBefore = tusRequests.filter((m) => m === 'HEAD').length;
  await page.getByTestId('upload-status').filter({ hasText: 'waiting for the server' }).waitFor({ timeout: 15_000 });
  log(`the card said the server was away ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill`);
  await page.getByTestId('error-notice').waitFor();
  // Still asking by itself while the server is away (a few HEADs, 0, 1, 2, 4 s apart).
  for (;;) {
    const heads = tusRequests.filter((m) => m === 'HEAD').length - headsBefore;
    if (heads >= 3) break;
    await page.waitForEvent('requestfailed', { timeout: 30_000 });
  }
  await shot('06b-upload-offline');
  log('starting the server again; nobody touches the page');
  await backend.start();
}

/**
 * The server dies while a job's page is open and stays down: "Offline" within seconds, shown once
 * and steadily while several polls fail, the progress kept where it was; once the server is back
 * the page recovers by itself (the notice goes, the job goes on).
 */
export async function jobOutage({ page, backend, log, shot }) {
  const before = await page.getByTestId('job-progress').getAttribute('aria-valuenow');
  await page.evaluate(watchNotice);
  const killedAt = Date.now();
  await backend.crash();
  await page.getByTestId('error-title').filter({ hasText: 'Offline' }).waitFor({ timeout: 10_000 });
  log(`the job page said "Offline" ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill (at ${before} %)`);
  let failures = 0;
  while (failures < 3) {
    const request = await page.waitForEvent('requestfailed', { timeout: 30_000 });
    if (request.url().includes('/api/results/job/')) failures += 1;
  }
  const notice = await page.evaluate(() => window.__notice);
  const now = await page.getByTestId('job-progress').getAttribute('aria-valuenow');
  log(`outage on the job page: notice shown ${notice.shown}×, gone ${notice.gone}× over ${failures} failed polls; progress ${before} → ${now} %`);
  if (notice.gone > 0 || notice.shown !== 1) throw new Error(`the job page flickers during the outage: ${JSON.stringify(notice)}`);
  if (now !== before) throw new Error(`the job's progress moved while the server was down: ${before} → ${now}`);
  await shot('07a-job-offline');
  log('starting the server again; nobody touches the page');
  await backend.start();
  await page.getByTestId('error-notice').waitFor({ state: 'hidden', timeout: 30_000 });
}

/** The player streams a signed URL (no whole-file download), and a tapped highlight plays muted, on screen. */
export async function playerOnScreen(page) {
  const video = page.locator('video').first();
  await video.waitFor();
  const src = await video.evaluate((v) => v.currentSrc || v.src);
  if (!src.includes('/video/signed?access=')) throw new Error(`the player does not stream the signed link: ${src.slice(0, 80)}`);
  await page.getByTestId('highlight').last().click();
  await page.waitForFunction(() => {
    const v = document.querySelector('video');
    return !!v && !v.paused && v.currentTime > 0;
  }, null, { timeout: 30_000 });
  // The page scrolls the player into view (smoothly): wait for it to arrive, or fail below.
  await page
    .waitForFunction(() => {
      const box = document.querySelector('video')?.getBoundingClientRect();
      return !!box && box.top >= 0 && box.top <= window.innerHeight - 40;
    }, null, { timeout: 5_000 })
    .catch(() => undefined);
  const seen = await video.evaluate((v) => {
    const box = v.getBoundingClientRect();
    return { muted: v.muted, top: box.top, bottom: box.bottom, height: window.innerHeight, buffered: v.buffered.length ? v.buffered.end(v.buffered.length - 1) : 0, duration: v.duration };
  });
  if (!seen.muted) throw new Error('a tapped highlight plays with sound');
  if (seen.top < 0 || seen.top > seen.height - 40) throw new Error(`the video plays off screen (top ${seen.top}, window ${seen.height})`);
  await video.evaluate((v) => v.pause());
  return seen;
}

/**
 * Where the Web Share API is missing (flow.mjs removes it with an init script, so this always
 * runs), "Share a summary" copies it or shows it: never nothing.
 */
export async function shareFallback(page, log, shot) {
  if (await page.evaluate(() => 'share' in navigator)) throw new Error('navigator.share is still there: the fallback would not run');
  await page.getByTestId('share-results').click();
  const said = page.locator('[data-testid="share-copied"], [data-testid="share-text"]').first();
  await said.waitFor({ timeout: 10_000 }).catch(() => {
    throw new Error('"Share a summary" without the Web Share API neither copied nor showed the summary');
  });
  log(`share fallback: ${await said.getAttribute('data-testid')}`);
  await said.scrollIntoViewIfNeeded();
  await shot('08b-share-fallback');
}

/**
 * A results page opened from a link (a reload) while the server is down: "Offline" at once and
 * steadily (no spinner flicker), a way out, and the results by themselves once it is back.
 */
export async function deepLinkDuringOutage({ page, backend, log, shot }) {
  await backend.crash();
  await page.addInitScript(watchNotice);
  await page.reload();
  await page.getByTestId('error-title').filter({ hasText: 'Offline' }).waitFor({ timeout: 15_000 });
  await page.getByTestId('header-home').waitFor();
  // The page's own retries never grey the refresh button (a click would wait for it to be enabled).
  if ((await page.getByTestId('header-refresh').getAttribute('aria-disabled')) === 'true') throw new Error('the refresh button is greyed during the outage');
  // Several tries fail while the page shows the same notice (the app backs off to every 5 s).
  let failures = 0;
  while (failures < 4) {
    const request = await page.waitForEvent('requestfailed', { timeout: 30_000 });
    if (request.url().includes('/api/results/job/')) failures += 1;
  }
  const notice = await page.evaluate(() => window.__notice);
  log(`outage on a deep-linked results page: notice shown ${notice.shown}×, gone ${notice.gone}× over ${failures} failed polls`);
  if (notice.gone > 0 || notice.shown !== 1) throw new Error(`the results page flickers during the outage: ${JSON.stringify(notice)}`);
  await shot('13-results-offline');
  await backend.start();
  await page.getByTestId('summary').waitFor({ timeout: 60_000 });
  if (await page.getByTestId('error-notice').count()) throw new Error('the outage notice stayed after the server came back');
  await page.getByTestId('header-home').click();
  await page.getByTestId('history-screen').waitFor();
}

/** Several videos: a bar, the names and a way to stop while the request goes; History leads back. */
export async function batchProgress({ page, context, clips, shot, log }) {
  await page.getByTestId('pick-several').waitFor();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 48 * 1024 });
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('pick-several').click();
  await (await chooser).setFiles(clips);
  await page.getByTestId('batch-sending').waitFor();
  await page.waitForFunction(() => {
    const now = Number(document.querySelector('[data-testid="batch-send-progress"]')?.getAttribute('aria-valuenow'));
    return now > 0 && now < 100;
  }, null, { timeout: 60_000 });
  const disabled = await page.getByTestId('pick-video').getAttribute('aria-disabled');
  if (disabled !== 'true') throw new Error('the picker stays tappable while the batch is sent');
  await page.getByTestId('batch-send-cancel').waitFor();
  const card = await page.getByTestId('batch-sending').innerText();
  for (const clip of clips) {
    const name = clip.split('/').pop();
    if (!card.includes(name)) throw new Error(`the batch being sent does not name ${name}: ${card}`);
  }
  log(`batch sending: ${await page.getByTestId('batch-send-status').innerText()}`);
  await shot('12-batch-sending');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  await page.getByTestId('batch-screen').waitFor({ timeout: 60_000 });
  const batchUrl = page.url();
  return batchUrl;
}

/** At 320 px History shows each name whole (two lines), not cut to a few characters. */
export async function historyNamesAt320(page, name, shot) {
  const cut = await page.locator('[data-testid^="job-name-"]').evaluateAll((nodes, wanted) =>
    nodes
      .filter((n) => n.textContent === wanted)
      .map((n) => ({ cut: n.scrollHeight > n.clientHeight + 1 || n.scrollWidth > n.clientWidth + 1, width: n.clientWidth })),
  name);
  if (cut.length === 0) throw new Error(`History does not show the name ${name}`);
  if (cut.some((c) => c.cut)) throw new Error(`History cuts ${name} at 320 px: ${JSON.stringify(cut)}`);
  await page.locator('[data-testid^="job-name-"]').filter({ hasText: name }).first().scrollIntoViewIfNeeded();
  await shot('10b-history-320');
}

/** Every account action: change the password, sign out everywhere, sign in again (to Upload). */
export async function accountActions({ page, email, oldPassword, newPassword, shot }) {
  await page.getByTestId('change-password').click();
  await page.getByTestId('current-password').fill(oldPassword);
  await page.getByTestId('new-password').fill(newPassword);
  await shot('11a-password-change');
  await page.getByTestId('save-password').click();
  await page.getByTestId('password-changed').waitFor();
  await page.getByTestId('sign-out-everywhere').click();
  await shot('11b-sign-out-everywhere');
  await page.getByTestId('sign-out-everywhere-confirm').click();
  await page.getByTestId('sign-in-screen').waitFor();
  const prefilled = await page.getByTestId('email-input').inputValue();
  if (prefilled !== email) throw new Error(`the e-mail is not prefilled after signing out (got "${prefilled}")`);
  await page.getByTestId('password-input').fill(newPassword);
  await page.getByTestId('submit-button').click();
  // Signing out was a choice: the next sign-in starts at Upload, not back on Settings.
  await page.getByTestId('upload-screen').waitFor();
  if (!new URL(page.url()).pathname.match(/^\/?$/)) throw new Error(`signed in again to ${page.url()}, not Upload`);
}

/** Dark mode, 320 px: History on a dark background. */
export async function darkHistory({ page, appUrl, shot }) {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(`${appUrl}/history`);
  await page.getByTestId('history-screen').waitFor();
  const background = await page.getByTestId('history-screen').evaluate((el) => getComputedStyle(el).backgroundColor);
  const [r, g, b] = (background.match(/\d+/g) ?? []).map(Number);
  if (!(r < 60 && g < 60 && b < 60)) throw new Error(`dark mode shows History on ${background}`);
  await shot('14-history-dark-320');
  await page.emulateMedia({ colorScheme: 'light' });
}
