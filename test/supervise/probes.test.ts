// The default probe runner against real services: an unmodified program speaking s6's
// notification-fd protocol, process.send('ready'), a log line, a TCP port, an HTTP URL and a
// command, each reached while the service is still starting; and health checks that pass and fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nursery, type Handle, type SpawnSpec } from '../../src/index.js';
import { defaultProbeRunner as probes } from '../../src/supervise/probes/runner.js';
import type { ProbeSpec } from '../../src/supervise/types.js';
import { assertNoLeftovers, waitFor } from '../helpers/proc.js';
import { tap, type Tapped } from '../helpers/probe-context.js';

const nursery = new Nursery({ log: false });
const dir = mkdtempSync(join(tmpdir(), 'nursery-probes-'));
const unhandled: unknown[] = [];
process.on('unhandledRejection', (reason) => unhandled.push(reason));
// Deadlines bound a failure; they are not a claim about speed (docs/design.md, section 7).
const LONG = { timeout: 120_000 };

/** A free TCP port on 127.0.0.1 (bound, read, released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function service(spec: SpawnSpec): { handle: Handle; tapped: Tapped } {
  const handle = nursery.spawn(spec);
  return { handle, tapped: tap(handle, nursery, { ipc: spec.ipc === true }) };
}

/** Runs a ready probe with a generous limit, then stops the service. */
async function reachesReady(spec: ProbeSpec, svc: { handle: Handle; tapped: Tapped }): Promise<void> {
  const lines = svc.tapped.lineListeners();
  const limit = new AbortController();
  const timer = setTimeout(() => limit.abort(new Error('not ready within 60 s')), 60_000);
  try {
    await probes.ready(spec, svc.tapped.context(limit.signal));
  } finally {
    clearTimeout(timer);
    await svc.handle.stop();
  }
  assert.equal(svc.tapped.lineListeners(), lines, 'the probe left no line listener');
  assert.equal(svc.tapped.messageListeners(), 0, 'the probe left no message listener');
}

// A node service that serves HTTP on argv[1] after a moment: '/' answers 503 twice, then 200;
// '/moved' 302; '/broken' 500. It prints each request it gets.
const HTTP_SERVICE = `
const http = require('node:http');
let hits = 0;
const server = http.createServer((req, res) => {
  console.log('req ' + req.url);
  if (req.url === '/moved') { res.writeHead(302, { location: '/' }); res.end(); return; }
  if (req.url === '/broken') { res.writeHead(500); res.end('no'); return; }
  res.writeHead(++hits <= 2 ? 503 : 200); res.end('x'.repeat(100000));
});
setTimeout(() => server.listen(Number(process.argv[1]), '127.0.0.1'), 200);`;

test('notifyFd: an unmodified s6-style program that writes a newline to fd 3 is ready', LONG, async () => {
  const svc = service({
    command: 'sh',
    args: ['-c', 'sleep 0.1; printf "starting up"; echo >&3; exec sleep 1000'],
    notifyFd: 3,
  });
  await reachesReady({ notifyFd: 3 }, svc);
});

test('notifyFd: text before the newline is ignored, as s6 ignores it; fd 7 works as well as 3', LONG, async () => {
  const svc = service({
    command: 'sh',
    args: ['-c', 'printf ok >&7; sleep 0.1; echo >&7; exec sleep 1000'],
    notifyFd: 7,
  });
  await reachesReady({ notifyFd: 7 }, svc);
});

test('notifyFd: closing the fd without a newline rejects at once, not at the timeout', LONG, async () => {
  const svc = service({ command: 'sh', args: ['-c', 'printf almost >&3; exec 3>&-; exec sleep 1000'], notifyFd: 3 });
  const ctx = svc.tapped.context(new AbortController().signal);
  await assert.rejects(probes.ready({ notifyFd: 3 }, ctx), /closed fd 3 without writing a newline/);
  await svc.handle.stop();
});

test('notifyFd: a service spawned without the pipe is refused with a clear error', LONG, async () => {
  const svc = service({ command: 'sleep', args: ['1000'] });
  const ctx = svc.tapped.context(new AbortController().signal);
  await assert.rejects(probes.ready({ notifyFd: 3 }, ctx), /without a notification pipe/);
  await svc.handle.stop();
});

test("ipc: only a message strictly equal to 'ready' counts", LONG, async () => {
  // The service sends decoys first, then 'ready' only when the test says so.
  const script = `process.send('almost'); process.send('ready!'); process.send({ ready: true });
    process.on('message', () => process.send('ready')); setInterval(() => {}, 1000);`;
  const svc = service({ command: process.execPath, args: ['-e', script], ipc: true });
  const decoysSeen = new Promise<void>((resolve) => {
    const off = svc.handle.onMessage((m) => typeof m === 'object' && (off(), resolve()));
  });
  let settled = false;
  const limit = new AbortController();
  const ready = probes.ready({ ipc: 'ready' }, svc.tapped.context(limit.signal)).finally(() => (settled = true));
  await decoysSeen;
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(settled, false, 'no decoy made it ready');
  await svc.handle.send('go');
  await ready;
  assert.equal(svc.tapped.messageListeners(), 0);
  await svc.handle.stop();
});

test('logLine: a line of stderr matches; a /g pattern is not made stateful, nor changed', LONG, async () => {
  const pattern = /listening on port (\d+)/g;
  pattern.lastIndex = 1000; // test() on the caller's regex would start past the end of the line
  const svc = service({
    command: 'sh',
    args: ['-c', 'echo starting; sleep 0.1; echo "listening on port 8080" >&2; exec sleep 1000'],
  });
  await reachesReady({ logLine: pattern }, svc);
  assert.equal(pattern.lastIndex, 1000, "the caller's regex is left as it was");
});

test('tcp: a port that a node service opens after a moment', LONG, async () => {
  const port = await freePort();
  const script = `setTimeout(() => require('node:net').createServer((s) => s.destroy())
    .listen(Number(process.argv[1]), '127.0.0.1'), 300);`;
  await reachesReady({ tcp: port }, service({ command: process.execPath, args: ['-e', script, String(port)] }));
});

test('http: retried through refused connections and 503s until a 200; the body is not read', LONG, async () => {
  const port = await freePort();
  const svc = service({ command: process.execPath, args: ['-e', HTTP_SERVICE, String(port)] });
  const requests: string[] = [];
  svc.tapped.context(new AbortController().signal).onLine(({ line }) => requests.push(line));
  await reachesReady({ http: `http://127.0.0.1:${port}/` }, svc);
  // The service's last lines may arrive after its exit: wait for three, then check there are no more.
  await waitFor(() => requests.length >= 3, 10_000, 'the requests to be logged');
  assert.deepEqual(requests, ['req /', 'req /', 'req /'], 'two 503s, then the 200');
});

test('exec: a command that exits 0 once the service has made its file', LONG, async () => {
  const marker = join(dir, 'made');
  const svc = service({ command: 'sh', args: ['-c', 'sleep 0.2; : >"$1"; exec sleep 1000', 'sh', marker] });
  await reachesReady({ exec: ['test', '-e', marker] }, svc);
  assert.ok(existsSync(marker));
});

test('health checks: one attempt each; pass on success, reject with what failed', LONG, async () => {
  const port = await freePort();
  const svc = service({ command: process.execPath, args: ['-e', HTTP_SERVICE, String(port)] });
  const ctx = svc.tapped.context(new AbortController().signal);
  await probes.ready({ tcp: port }, ctx);
  await probes.check({ tcp: port }, ctx);
  await probes.check({ http: `http://127.0.0.1:${port}/moved` }, ctx); // 3xx passes, not followed
  await assert.rejects(probes.check({ http: `http://127.0.0.1:${port}/broken` }, ctx), /HTTP 500/);
  await probes.check({ exec: ['true'] }, ctx);
  await assert.rejects(probes.check({ exec: ['sh', '-c', 'exit 3'] }, ctx), /exit code 3/);
  await assert.rejects(probes.check({ exec: ['nursery-no-such-probe'] }, ctx), /exec nursery-no-such-probe/);
  await svc.handle.stop();
  // The service is gone: one refused attempt, no retry.
  await assert.rejects(probes.check({ tcp: port }, ctx), /ECONNREFUSED/);
  await assert.rejects(probes.check({ http: `http://127.0.0.1:${port}/` }, ctx), /ECONNREFUSED/);
});

test('check() refuses the kinds that answer only once', LONG, async () => {
  const ctx = tap(nursery.spawn({ command: 'true' }), nursery).context(new AbortController().signal);
  for (const spec of [{ notifyFd: 3 }, { ipc: 'ready' }, { logLine: /x/ }] as ProbeSpec[]) {
    await assert.rejects(probes.check(spec, ctx), /cannot be a health check/);
  }
  await assert.rejects(probes.ready({} as ProbeSpec, ctx), /names none of/);
});

test('the test file leaves no child or zombie behind, and no unhandled rejection', async () => {
  await nursery.close();
  rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(unhandled, []);
  await assertNoLeftovers();
});
