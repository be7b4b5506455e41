// Starts a real TokenFuse process for end-to-end tests and reads its SQLite file.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';

export const binary = process.env.TOKENFUSE_BINARY ?? new URL('../../build/app/tokenfuse', import.meta.url).pathname;

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

// Starts `tokenfuse --headless` with the given extra arguments; resolves once it listens.
export async function startGateway(args = ['--simulate']) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'tokenfuse-e2e-'));
  const child = spawn(binary, ['--headless', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (d) => { output += d; });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start: ${output}`)), 15000);
    child.stdout.on('data', (d) => {
      output += d;
      if (output.includes('listening on')) { clearTimeout(timer); resolve(); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`gateway exited with ${code}: ${output}`)); });
  });
  const gateway = {
    port,
    dataDir,
    child,
    baseURL: `http://127.0.0.1:${port}/v1`,
    anthropicBaseURL: `http://127.0.0.1:${port}`,
    db: join(dataDir, 'tokenfuse.db'),
    output: () => output,
    query(sql) {
      const out = execFileSync('sqlite3', ['-json', join(dataDir, 'tokenfuse.db'), sql], { encoding: 'utf8' });
      return out.trim() ? JSON.parse(out) : [];
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill(signal);
        await exited;
      }
    },
    cleanup() { rmSync(dataDir, { recursive: true, force: true }); },
  };
  return gateway;
}

// Rows are committed before the client sees the end of its response, so they are there at once;
// this waits only for rows of requests whose client went away first.
export async function waitForRow(gateway, id, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = gateway.query(`select * from requests where id = '${id}'`);
    if (rows.length) return rows[0];
    if (Date.now() > deadline) throw new Error(`no row for ${id}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
