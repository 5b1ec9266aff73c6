// Probes that never succeed, ended by their signal (the Service's timeout): each rejects promptly
// with an AbortError and leaves nothing behind: no abort listener, no line, message or pipe
// listener, no socket, no timer (process.getActiveResourcesInfo() is back to its baseline) and no
// process of an exec probe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nursery, type Handle, type SpawnSpec } from '../../src/index.js';
import { defaultProbeRunner as probes } from '../../src/supervise/probes/runner.js';
import type { ProbeSpec } from '../../src/supervise/types.js';
import { alive, assertNoLeftovers, stat, waitFor } from '../helpers/proc.js';
import { tap } from '../helpers/probe-context.js';

const nursery = new Nursery({ log: false });
const dir = mkdtempSync(join(tmpdir(), 'nursery-probe-abort-'));
const unhandled: unknown[] = [];
process.on('unhandledRejection', (reason) => unhandled.push(reason));
// A probe that ignored its abort would hang: the test's own timeout turns that into a failure.
const LONG = { timeout: 60_000 };
// "Promptly" on a busy machine: the abort itself costs microseconds; an exec probe also waits for
// its command's tree to be stopped (SIGTERM, which sleep obeys at once).
const PROMPT_MS = 3000;

const resources = (): string => process.getActiveResourcesInfo().sort().join(',');
const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Case {
  spec: ProbeSpec;
  service: SpawnSpec;
  /** Resolves once the probe is well under way (an attempt in flight, or a few made). */
  underway?: (lines: string[]) => Promise<void>;
  /** Checked after the rejection. */
  after?: (lines: string[]) => Promise<void> | void;
}

/** Starts the probe, aborts it once under way, and checks the rejection and what is left. */
async function abortsCleanly(c: Case): Promise<void> {
  // What earlier tests (and freePort()'s server) held is closed a turn or two after they end: wait
  // for that, so the baseline is this service's alone.
  await waitFor(() => !/ProcessWrap|TCP|CloseReq/.test(resources()), 10_000, `a quiet start (${resources()})`);
  const handle = nursery.spawn(c.service);
  try {
    await probeThenAbort(c, handle);
  } finally {
    await handle.stop();
  }
}

async function probeThenAbort(c: Case, handle: Handle): Promise<void> {
  const tapped = tap(handle, nursery, { ipc: c.service.ipc === true });
  const lines: string[] = [];
  tapped.context(new AbortController().signal).onLine(({ line }) => lines.push(line));
  const notifyListeners = (): number => handle.notify?.listenerCount('data') ?? 0;
  const before = { lines: tapped.lineListeners(), notify: notifyListeners() };
  // Started, with its pipes open: what the service itself holds is in the baseline.
  await waitFor(() => alive(handle.pid), 10_000, 'the service to start');
  const baseline = resources();
  const baselineTimers = timers();

  const limit = new AbortController();
  const outcome = probes.ready(c.spec, tapped.context(limit.signal)).then(
    () => assert.fail('the probe succeeded'),
    // Taken at the rejection itself: a timer the probe forgot would still be pending here (a
    // later look could miss a short one that has fired meanwhile).
    (error: unknown) => ({ error, at: performance.now(), timers: timers() }),
  );
  await (c.underway?.(lines) ?? new Promise((resolve) => setTimeout(resolve, 300)));
  const reason = new Error('time is up');
  const abortedAt = performance.now();
  limit.abort(reason);
  const { error, at, timers: timersLeft } = await outcome;

  assert.ok(error instanceof Error, String(error));
  assert.equal(error.name, 'AbortError', error.message);
  assert.equal((error as { code?: string }).code, 'ABORT_ERR');
  assert.equal(error.cause, reason, "the signal's reason is the cause");
  assert.ok(at - abortedAt < PROMPT_MS, `rejected ${Math.round(at - abortedAt)} ms after the abort`);
  assert.equal(timersLeft, baselineTimers, 'no timer left when the probe rejects');
  assert.equal(getEventListeners(limit.signal, 'abort').length, 0, 'no abort listener left');
  assert.equal(tapped.lineListeners(), before.lines, 'no line listener left');
  assert.equal(tapped.messageListeners(), 0, 'no message listener left');
  assert.equal(notifyListeners(), before.notify, 'no listener left on the notification pipe');
  await c.after?.(lines);
  await waitFor(() => resources() === baseline, 10_000, `resources back to ${baseline} (now ${resources()})`);
}

test('tcp: a port nobody opens, retried until the abort', LONG, async () => {
  const port = await freePort();
  await abortsCleanly({ spec: { tcp: port }, service: { command: 'sleep', args: ['1000'] } });
});

test('http: a port nobody opens, retried until the abort', LONG, async () => {
  const port = await freePort();
  await abortsCleanly({ spec: { http: `http://127.0.0.1:${port}/` }, service: { command: 'sleep', args: ['1000'] } });
});

test('http: a server that never answers; the abort closes the request', LONG, async () => {
  const port = await freePort();
  const script = `require('node:http').createServer((req) => {
      console.log('req ' + req.url);
      req.socket.on('close', () => console.log('closed ' + req.url));
    }).listen(Number(process.argv[1]), '127.0.0.1');`;
  await abortsCleanly({
    spec: { http: `http://127.0.0.1:${port}/hang` },
    service: { command: process.execPath, args: ['-e', script, String(port)] },
    underway: (lines) => waitFor(() => lines.includes('req /hang'), 30_000, 'the request to arrive'),
    after: (lines) => waitFor(() => lines.includes('closed /hang'), 10_000, 'the server to see the close'),
  });
});

test('exec: a command that always fails, retried until the abort', LONG, async () => {
  await abortsCleanly({ spec: { exec: ['false'] }, service: { command: 'sleep', args: ['1000'] } });
});

test('exec: a command that hangs is stopped, tree and all, before the probe rejects', LONG, async () => {
  const marker = join(dir, 'exec-pid');
  let pid = 0;
  await abortsCleanly({
    spec: { exec: ['sh', '-c', 'echo $$ >"$1.tmp" && mv "$1.tmp" "$1" && exec sleep 1000', 'sh', marker] },
    service: { command: 'sleep', args: ['1000'] },
    underway: async () => {
      await waitFor(() => existsSync(marker), 30_000, 'the probe command to report its pid');
      pid = Number(readFileSync(marker, 'utf8'));
      await waitFor(() => stat(pid)?.comm === 'sleep', 10_000, 'the probe command to exec sleep');
    },
    after: () => assert.equal(alive(pid), false, 'the probe command is gone when the probe rejects'),
  });
});

test('notifyFd: a service that never writes', LONG, async () => {
  await abortsCleanly({ spec: { notifyFd: 3 }, service: { command: 'sleep', args: ['1000'], notifyFd: 3 } });
});

test('ipc: a service that never sends ready', LONG, async () => {
  const service = { command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'], ipc: true };
  await abortsCleanly({ spec: { ipc: 'ready' }, service });
});

test('logLine: a service whose output never matches', LONG, async () => {
  const script = 'while :; do echo not yet; sleep 0.05; done';
  await abortsCleanly({ spec: { logLine: /^ready$/ }, service: { command: 'sh', args: ['-c', script] } });
});

test('a signal aborted before the probe starts: every kind rejects at once, touching nothing', LONG, async () => {
  const port = await freePort();
  const handle = nursery.spawn({ command: 'sleep', args: ['1000'], notifyFd: 3 });
  const ctx = tap(handle, nursery).context(AbortSignal.abort(new Error('too late')));
  const specs: ProbeSpec[] = [
    { notifyFd: 3 },
    { logLine: /x/ },
    { tcp: port },
    { http: `http://127.0.0.1:${port}/` },
    { exec: ['true'] },
  ];
  for (const spec of specs) {
    await assert.rejects(probes.ready(spec, ctx), { name: 'AbortError' }, JSON.stringify(spec));
    if (!('logLine' in spec) && !('notifyFd' in spec))
      await assert.rejects(probes.check(spec, ctx), { name: 'AbortError' }, JSON.stringify(spec));
  }
  assert.equal(handle.notify?.listenerCount('data'), 0);
  await handle.stop();
});

test('the test file leaves no child or zombie behind, and no unhandled rejection', async () => {
  await nursery.close();
  rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(unhandled, []);
  await assertNoLeftovers();
});
