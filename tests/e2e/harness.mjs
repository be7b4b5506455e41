// Starts a real TokenFuse process for end-to-end tests and reads its SQLite file.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
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
// `config` (an object) is written to a config file and passed with --config; `reuse` restarts on
// the data dir and port of an earlier gateway (after a crash, say).
export async function startGateway(args = ['--simulate'], { config, reuse } = {}) {
  const port = reuse ? reuse.port : await freePort();
  const dataDir = reuse ? reuse.dataDir : mkdtempSync(join(tmpdir(), 'tokenfuse-e2e-'));
  const extra = [];
  if (config) {
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify(config));
    extra.push('--config', join(dataDir, 'config.json'));
  }
  const child = spawn(binary, ['--headless', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, ...extra, ...args], {
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
    adminToken: () => readFileSync(join(dataDir, 'admin.token'), 'utf8').trim(),
    // Calls the admin API; `token` overrides the real one (null: none at all).
    async admin(method, path, body, token) {
      const headers = { 'content-type': 'application/json' };
      const t = token === undefined ? this.adminToken() : token;
      if (t !== null) headers.authorization = `Bearer ${t}`;
      const res = await fetch(`http://127.0.0.1:${port}/admin/v1/${path}`, {
        method, headers, body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
    },
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

// Starts `tokenfuse simulate` (the simulator as a server of its own) with the given extra
// arguments; resolves once it listens.
export async function startSimulator(args = []) {
  const port = await freePort();
  const child = spawn(binary, ['simulate', '--listen', `127.0.0.1:${port}`, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr.on('data', (d) => { output += d; });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`simulator did not start: ${output}`)), 15000);
    child.stdout.on('data', (d) => {
      output += d;
      if (output.includes('listening on')) { clearTimeout(timer); resolve(); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`simulator exited with ${code}: ${output}`)); });
  });
  return {
    port,
    child,
    baseURL: `http://127.0.0.1:${port}/v1`,
    anthropicBaseURL: `http://127.0.0.1:${port}`,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
