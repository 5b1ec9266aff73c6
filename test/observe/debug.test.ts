// The debug endpoint (issue 12): what GET /debug/processes tells (every child, its tree, its figures
// from /proc, redacted arguments, never the environment), and how the server takes junk: a clean 4xx
// or a cut-off, and the next good request still works. Loopback or a 0600 socket unless told otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { type IncomingHttpHeaders, createServer, request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nursery } from '../../src/index.js';
import type { DebugSnapshot } from '../../src/observe/debug/snapshot.js';
import { assertNoLeftovers, waitFor } from '../helpers/proc.js';

const nursery = new Nursery({ subreaper: true, logger: false });
const dir = mkdtempSync(join(tmpdir(), 'nursery-debug-'));

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function get(
  target: { port: number } | { socketPath: string },
  path: string,
  headers = {},
  method = 'GET',
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const where = 'port' in target ? { host: '127.0.0.1', port: target.port } : { socketPath: target.socketPath };
    const req = request({ ...where, path, method, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

// Raw bytes on a fresh connection; resolves with what the server sent before it closed.
function raw(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = connect(port, '127.0.0.1');
    let got = '';
    c.setEncoding('latin1').on('data', (d: string) => (got += d));
    c.on('error', (e: Error & { code?: string }) => (e.code === 'ECONNRESET' ? resolve(got) : reject(e)));
    c.on('close', () => resolve(got));
    c.write(bytes);
  });
}

test('GET /debug/processes: each child: pid, pgid, owner, mode, state, command, uptime, RSS, CPU, tree', async () => {
  const server = await nursery.serveDebug({ port: 0 });
  const web = nursery.spawn({ command: 'sh', args: ['-c', 'sleep 600 & sleep 601'], owner: 'web' });
  const job = nursery.spawn({
    command: 'sleep',
    args: ['602', '--token', 's3cret-token'],
    owner: 'jobs',
    env: { NURSERY_TEST_SECRET: 'env-value-never-shown' },
  });
  // `sleep 602 --token x` is refused by sleep: use a child that takes any argument instead.
  await job.exited;
  const agent = nursery.spawn({
    command: 'sh',
    args: ['-c', 'sleep 603', 'agent', '--api-key=abc123', 'DB_PASSWORD=hunter2', 'https://u:pw@example.test/x'],
    owner: 'agents',
    env: { NURSERY_TEST_SECRET: 'env-value-never-shown' },
  });
  let snap: DebugSnapshot | undefined;
  await waitFor(
    () => {
      void get({ port: server.port as number }, '/debug/processes').then(
        (r) => (snap = JSON.parse(r.body) as DebugSnapshot),
      );
      return snap !== undefined && (snap.children.find((c) => c.pid === web.pid)?.tree.length ?? 0) === 2;
    },
    30_000,
    'both sleeps under the shell',
  );
  const s = snap as DebugSnapshot;
  assert.equal(s.version, 1);
  assert.equal(s.host.pid, process.pid);
  const w = s.children.find((c) => c.pid === web.pid);
  assert.ok(w);
  assert.deepEqual(
    { pgid: w.pgid, owner: w.owner, mode: w.mode, state: w.state, command: w.command },
    { pgid: web.pid, owner: 'web', mode: 'normal', state: 'running', command: 'sh' },
  );
  assert.ok(w.uptimeSeconds >= 0 && (w.rssBytes ?? 0) > 0 && (w.cpuSeconds ?? -1) >= 0);
  assert.deepEqual(w.tree.map((n) => n.argv.join(' ')).sort(), ['sleep 600', 'sleep 601']);
  assert.ok(w.tree.every((n) => n.ppid === web.pid && n.pgid === web.pid && (n.rssBytes ?? 0) > 0));
  const a = s.children.find((c) => c.pid === agent.pid);
  assert.deepEqual(a?.args, [
    '-c',
    'sleep 603',
    'agent',
    '--api-key=***',
    'DB_PASSWORD=***',
    'https://u:***@example.test/x',
  ]);
  const r = await get({ port: server.port as number }, '/debug/processes');
  assert.doesNotMatch(r.body, /abc123|hunter2|:pw@|env-value-never-shown|NURSERY_TEST_SECRET/);
  assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
  assert.equal(r.headers['cache-control'], 'no-store');
  assert.ok(s.stats.spawned >= 3 && s.reaper !== null && Array.isArray(s.daemons));
  await Promise.all([web.stop(), agent.stop()]);
  await server.close();
});

test('a browser gets one self-contained page; a custom redact hook is used', async () => {
  const server = await nursery.serveDebug({
    port: 0,
    redact: (argv) => argv.map((w) => (w === 'topsecret' ? '[gone]' : w)),
  });
  const h = nursery.spawn({ command: 'sleep', args: ['600'], owner: 'page' });
  const r = await get({ port: server.port as number }, '/debug/processes', {
    accept: 'text/html,application/xhtml+xml',
  });
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
  assert.match(String(r.headers['content-security-policy']), /default-src 'none'/);
  assert.doesNotMatch(r.body, /<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!u:)/, 'nothing fetched from elsewhere');
  assert.match(r.body, new RegExp(`"pid":${h.pid}`));
  const json = await get({ port: server.port as number }, '/debug/processes?format=json', { accept: 'text/html' });
  assert.equal(json.headers['content-type'], 'application/json; charset=utf-8');
  await h.stop();
  const t = nursery.spawn({ command: 'sh', args: ['-c', 'sleep 600', 'x', 'topsecret'], owner: 'page' });
  // Requests within 250 ms share a snapshot: ask until the new child shows.
  let r2 = await get({ port: server.port as number }, '/debug/processes');
  for (const deadline = Date.now() + 30_000; !r2.body.includes(`"pid":${t.pid}`);) {
    assert.ok(Date.now() < deadline, 'the new child never showed');
    await new Promise((r) => setTimeout(r, 50));
    r2 = await get({ port: server.port as number }, '/debug/processes');
  }
  assert.match(r2.body, /\[gone\]/);
  assert.doesNotMatch(r2.body, /topsecret/);
  await t.stop();
  await server.close();
});

test('junk gets a clean 4xx and the next good request still works', async () => {
  const server = await nursery.serveDebug({ port: 0 });
  const port = server.port as number;
  assert.equal((await get({ port }, '/nope')).status, 404);
  assert.equal((await get({ port }, '/debug/processes/../../etc/passwd')).status, 404);
  const post = await get({ port }, '/debug/processes', {}, 'POST');
  assert.equal(post.status, 405);
  assert.equal(post.headers.allow, 'GET, HEAD');
  assert.equal((await get({ port }, '/debug/processes', {}, 'DELETE')).status, 405);
  assert.equal((await get({ port }, `/debug/processes?${'x'.repeat(4000)}`)).status, 414);
  const long = await raw(port, `GET /debug/processes?${'a'.repeat(100 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`);
  assert.match(long, /^HTTP\/1\.1 431 /);
  assert.match(await raw(port, 'NOT HTTP AT ALL\r\n\r\n'), /^HTTP\/1\.1 400 /);
  // A slow client: half a request line, then nothing. The server cuts it off (headers timeout).
  const slow = await raw(port, 'GET /debug/proc');
  assert.match(slow, /^(HTTP\/1\.1 408 [^]*|)$/);
  const head = await get({ port }, '/debug/processes', {}, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  assert.equal((await get({ port }, '/debug/processes')).status, 200);
  await server.close();
});

test('loopback by default; another address only with host, and then a warning', async () => {
  const s = await nursery.serveDebug({ port: 0 });
  assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+\/debug\/processes$/);
  await s.close();
  const warnings: string[] = [];
  const onWarning = (w: Error & { code?: string }): void => void warnings.push(String(w.code));
  process.on('warning', onWarning);
  const open = await nursery.serveDebug({ port: 0, host: '0.0.0.0' });
  await waitFor(() => warnings.includes('NURSERY_DEBUG_EXPOSED'), 10_000, 'the warning');
  process.removeListener('warning', onWarning);
  await open.close();
});

test('a unix socket is created 0600 and removed on close', async () => {
  const socketPath = join(dir, 'debug.sock');
  const s = await nursery.serveDebug({ socketPath });
  assert.equal(statSync(socketPath).mode & 0o777, 0o600);
  assert.equal((await get({ socketPath }, '/debug/processes')).status, 200);
  await s.close();
  assert.throws(() => statSync(socketPath), { code: 'ENOENT' });
});

test('a stale socket file (its server died) is replaced; a live one is not', async () => {
  const socketPath = join(dir, 'stale.sock');
  const script = `require('net').createServer().listen(${JSON.stringify(socketPath)}, () => console.log('up'))`;
  const holder = nursery.spawn({
    command: process.execPath,
    args: ['-e', script],
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = '';
  holder.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  await waitFor(() => out.includes('up'), 30_000, 'the other server to listen');
  await assert.rejects(nursery.serveDebug({ socketPath }), { code: 'EADDRINUSE' });
  await holder.stop({ signal: 'SIGKILL' });
  assert.ok(statSync(socketPath).isSocket(), 'SIGKILL left the socket file behind');
  const s = await nursery.serveDebug({ socketPath });
  assert.equal((await get({ socketPath }, '/debug/processes')).status, 200);
  await s.close();
});

test('debugHandler() serves from any Node HTTP server', async () => {
  const server = createServer(nursery.debugHandler());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  assert.equal((await get({ port }, '/debug/processes')).status, 200);
  assert.equal((await get({ port }, '/other')).status, 404);
  await new Promise((r) => server.close(r));
});

test('the test file leaves no child or zombie behind', async () => {
  await nursery.close();
  rmSync(dir, { recursive: true, force: true });
  await assertNoLeftovers();
});
