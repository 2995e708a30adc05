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

/** A short clip with a few cuts, made by the backend's own test helper (tests/videos.py). */
export function makeVideo(repo, file, { seconds, width, height }) {
  const code = [
    'import sys',
    'from tests.videos import make_video',
    `make_video(sys.argv[1], seconds=${seconds}, fps=30, width=${width}, height=${height},`,
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
    HOST: '127.0.0.1',
    PORT: String(port),
  };
  execFileSync(venvPython(repo), ['-m', 'backend.migrate'], { cwd: repo, env, stdio: 'inherit' });
  const logFile = path.join(workDir, 'backend.log');
  const log = createWriteStream(logFile);
  // detached: its own process group, so stop() ends gunicorn's workers too.
  const child = spawn(path.join(repo, '.venv', 'bin', 'gunicorn'), ['-c', 'gunicorn.conf.py', 'backend.wsgi:app'], {
    cwd: repo,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const url = `http://127.0.0.1:${port}`;
  const stop = () => {
    if (child.exitCode === null) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  };
  try {
    await waitHealthy(url, child, 30_000);
  } catch (error) {
    stop();
    throw error;
  }
  return { url, logFile, stop };
}
