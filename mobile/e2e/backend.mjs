// Starts the real Clipscope backend (migrations + gunicorn) on a free port, for the browser test.
import { spawn, execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export function venvPython(repo) {
  const python = path.join(repo, '.venv', 'bin', 'python');
  if (!existsSync(python)) throw new Error(`No Python venv at ${python}: run the backend set-up (make venv) first.`);
  return python;
}

/** A clip with a few cuts, made by the backend's own test helper (tests/videos.py). */
export function makeVideo(repo, file, { seconds, width, height, fps = 30 }) {
  const code = [
    'import sys',
    'from tests.videos import make_video',
    `make_video(sys.argv[1], seconds=${seconds}, fps=${fps}, width=${width}, height=${height},`,
    `           cuts=[${seconds} * k / 5 for k in range(1, 5)], noise=0.2, audio='tone', preset='ultrafast')`,
  ].join('\n');
  execFileSync(venvPython(repo), ['-c', code, file], { cwd: repo, stdio: 'inherit' });
}

async function waitHealthy(url, child, deadlineMs) {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`backend exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`${url}/api/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`backend did not answer ${url}/api/health within ${deadlineMs / 1000} s`);
}

/**
 * The real backend as `make run` starts it. `restart()` stops it as a deploy does (SIGTERM: a
 * running job finishes or is given back) and starts it again; `crashAndRestart()` kills it
 * (SIGKILL: the job's lease expires and the new server runs it again as its next attempt);
 * `crash()` and `start()` leave it down in between, as an outage does.
 */
export async function startBackend(repo, workDir) {
  const port = await freePort();
  const uploads = path.join(workDir, 'uploads');
  mkdirSync(uploads, { recursive: true });
  const env = {
    ...process.env,
    DATABASE_URL: `sqlite:///${path.join(workDir, 'e2e.db')}`,
    CLIPSCOPE_UPLOAD_DIR: uploads,
    // Nothing listens there: push failures must never affect jobs.
    CLIPSCOPE_EXPO_PUSH_URL: 'http://127.0.0.1:9',
    // One analysis thread: the long clip is the one running when the server restarts.
    CLIPSCOPE_WORKERS: '1',
    // A killed server's job is given back to the queue 2 s after its last lease renewal.
    CLIPSCOPE_LEASE_S: '2',
    WEB_CONCURRENCY: '1',
    HOST: '127.0.0.1',
    PORT: String(port),
  };
  execFileSync(venvPython(repo), ['-m', 'backend.migrate'], { cwd: repo, env, stdio: 'inherit' });
  const logFile = path.join(workDir, 'backend.log');
  const log = createWriteStream(logFile, { flags: 'a' });
  const url = `http://127.0.0.1:${port}`;
  let child = null;

  const launch = async () => {
    // detached: its own process group, so stop() ends gunicorn's workers too.
    child = spawn(path.join(repo, '.venv', 'bin', 'gunicorn'), ['-c', 'gunicorn.conf.py', 'backend.wsgi:app'], {
      cwd: repo,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    await waitHealthy(url, child, 60_000);
  };
  /** Signal the whole process group and wait until its leader has exited. */
  const stop = async (signal = 'SIGTERM') => {
    const current = child;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    const exited = new Promise((resolve) => current.once('exit', resolve));
    try {
      process.kill(-current.pid, signal);
    } catch {
      return; // already gone
    }
    await exited;
  };
  try {
    await launch();
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    logFile,
    uploadsDir: uploads,
    stop: () => stop('SIGTERM'),
    restart: async () => {
      await stop('SIGTERM');
      await launch();
    },
    crashAndRestart: async () => {
      await stop('SIGKILL');
      await launch();
    },
    /** SIGKILL and stay down (an outage), until `start()`. */
    crash: () => stop('SIGKILL'),
    start: () => launch(),
  };
}
