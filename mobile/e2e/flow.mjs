// The user's path through the exported web app, in Chromium, with a screenshot of every screen.
import path from 'node:path';

const PHONE = { width: 400, height: 860 };

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

export async function runFlow({ context, appUrl, video, shotsDir, log }) {
  const page = context.pages()[0] ?? (await context.newPage());
  await page.setViewportSize(PHONE);
  await page.addInitScript(watchProgressBars);
  const shot = async (name) => {
    await page.waitForTimeout(250); // let fonts and layout settle for the picture
    await page.screenshot({ path: path.join(shotsDir, `${name}.png`) });
    log(`screenshot ${name}.png`);
  };
  const step = (text) => log(`step: ${text}`);

  step('open the app: it asks to sign in');
  await page.goto(appUrl);
  await page.getByTestId('sign-in-screen').waitFor();
  await shot('01-sign-in');

  step('create an account');
  await page.getByRole('tab', { name: 'Create account' }).click();
  await page.getByTestId('email-input').fill('maya@example.com');
  await page.getByTestId('password-input').fill('correct horse battery');
  await page.getByTestId('submit-button').click();
  await page.getByTestId('upload-screen').waitFor();
  await shot('02-upload');

  step('pick the generated video');
  const chooser = page.waitForEvent('filechooser');
  await page.getByTestId('pick-video').click();
  await (await chooser).setFiles(video);
  await page.getByTestId('picked-name').filter({ hasText: path.basename(video) }).waitFor();
  await page.getByTestId('picked-duration').filter({ hasText: /^\d+:\d\d$/ }).waitFor();
  await shot('03-picked');

  step('upload it (the browser throttles the upload so its progress can be seen)');
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: 256 * 1024,
  });
  await page.getByTestId('upload-button').click();
  await page.getByTestId('upload-progress').waitFor();
  // Chromium may hand the whole body to its network stack at once (then the bar jumps to 100 %
  // and waits for the answer); picture it mid-way when the browser reports it that way.
  await page
    .waitForFunction(() => {
      const now = Number(document.querySelector('[data-testid="upload-progress"]')?.getAttribute('aria-valuenow'));
      return now > 0 && now < 100;
    }, null, { timeout: 3000 })
    .catch(() => undefined);
  await shot('04-uploading');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

  step('watch the job');
  await page.getByTestId('job-screen').waitFor();
  // A short clip is analysed in seconds: picture the job while it runs if we catch it running.
  await page
    .waitForFunction(() => {
      const bar = document.querySelector('[data-testid="job-progress"]');
      const now = Number(bar?.getAttribute('aria-valuenow'));
      return now > 0 && now < 100;
    }, null, { timeout: 8000 })
    .then(() => shot('05-job'))
    .catch(async () => {
      if (await page.getByTestId('job-screen').isVisible()) await shot('05-job');
      else log('the job finished before its screen could be pictured');
    });

  step('the results open by themselves');
  await page.getByTestId('results-screen').waitFor({ timeout: 60_000 });
  const progress = await page.evaluate(() => window.__progress);
  log(`upload progress seen: ${progress['upload-progress'].join(' → ')} %`);
  log(`job progress seen: ${progress['job-progress'].join(' → ')} %`);
  if (!progress['upload-progress'].includes(100)) throw new Error('the upload progress bar never reached 100 %');
  const seen = progress['job-progress'];
  if (!seen.includes(100)) throw new Error(`the job's progress bar never reached 100 % (saw ${seen.join(', ')})`);

  step('thumbnails and the motion chart are shown');
  await page.getByTestId('motion-chart').waitFor();
  await page.waitForFunction(() => {
    const images = [...document.querySelectorAll('[data-testid="scene-strip"] img')];
    return images.length > 0 && images.every((img) => img.complete && img.naturalWidth > 0);
  });
  const thumbs = await page.locator('[data-testid="scene-strip"] img').count();
  log(`${thumbs} scene thumbnails loaded`);
  const bars = await page.locator('[data-testid="motion-chart"] > div').first().locator('> div').count();
  if (bars < 2) throw new Error(`the motion chart has ${bars} bars`);
  await shotWhole(page, 'results-screen', () => shot('06-results'));

  step('history lists the job');
  await page.goto(`${appUrl}/history`);
  await page.getByTestId('history-screen').waitFor();
  await page.getByText(path.basename(video)).first().waitFor();
  await shot('07-history');

  step('settings');
  await page.goto(`${appUrl}/settings`);
  await page.getByTestId('settings-screen').waitFor();
  await shot('08-settings');

  step('sign out returns to sign-in');
  await page.getByTestId('sign-out').click();
  await page.getByTestId('sign-in-screen').waitFor();
  return { thumbs, bars, progress: seen };
}

/** React Native Web scrolls inside a view, not the page: grow the viewport to picture it all. */
async function shotWhole(page, testId, take) {
  const height = await page.getByTestId(testId).evaluate((el) => el.scrollHeight);
  await page.setViewportSize({ width: PHONE.width, height: Math.min(3000, Math.max(PHONE.height, height + 120)) });
  await take();
  await page.setViewportSize(PHONE);
}
