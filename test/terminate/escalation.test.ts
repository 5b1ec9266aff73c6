// A stop in flight can be made harsher: a later stop with SIGKILL or a shorter grace takes effect at
// once, for the whole tree (as systemd's second stop or a second Ctrl-C does), from stop(),
// stopAll() and close() alike. The trees ignore SIGTERM and the first grace is far longer than
// any test runs, so only the escalation can end them; the ceilings only turn a hang into a failure.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Nursery } from '../../src/index.js';
import { alive, assertNoLeftovers } from '../helpers/proc.js';
import { TREE, readJsonLine, type TreePids } from '../helpers/tree.js';

const nursery = new Nursery({ subreaper: true, log: false });
after(() => nursery.close({ signal: 'SIGKILL' }));

const LONG = 600_000;
const CEILING = 60_000;

function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still pending after ${CEILING} ms`)), CEILING);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

async function termIgnoringTree(n: Nursery, extra: Record<string, unknown> = {}) {
  const child = n.spawn({
    command: process.execPath,
    args: [TREE, '2', '1', 'ignore-term'],
    stdio: ['ignore', 'pipe', 'inherit'],
    graceMs: LONG,
    ...extra,
  });
  const p = await readJsonLine<TreePids>(child.stdout);
  return { child, all: [p.pid, ...p.group, ...p.setsid] };
}

test('stop({ signal: SIGKILL }) while a stop with a long grace is pending kills the whole tree at once', async () => {
  const { child, all } = await termIgnoringTree(nursery);
  const first = child.stop({ graceMs: LONG });
  const second = child.stop({ signal: 'SIGKILL', graceMs: 0 });
  const [a, b] = await within(Promise.all([first, second]), 'the escalated stop');
  assert.equal(a.signal, 'SIGKILL');
  assert.deepEqual(a, b);
  assert.equal(a.stopped, true);
  assert.deepEqual(all.filter(alive), []);
});

test('a later stop with a shorter grace ends the pending grace', async () => {
  const { child, all } = await termIgnoringTree(nursery);
  const first = child.stop();
  const info = await within(child.stop({ graceMs: 0 }), 'the shorter grace');
  assert.equal(info.signal, 'SIGKILL');
  assert.deepEqual(await first, info);
  assert.deepEqual(all.filter(alive), []);
});

test('an abort stop in flight (as a timeout) is escalated by stop()', async () => {
  const ac = new AbortController();
  const { child, all } = await termIgnoringTree(nursery, { signal: ac.signal });
  ac.abort();
  const info = await within(child.stop({ signal: 'SIGKILL', graceMs: 0 }), 'stop() after an abort');
  assert.equal(info.signal, 'SIGKILL');
  assert.equal(info.aborted, true);
  assert.deepEqual(all.filter(alive), []);
});

test('stopAll() escalates a pending stopAll(), and close({ graceMs: 1e12 }) does not wait out its grace', async () => {
  const n = new Nursery({ log: false });
  const trees = await Promise.all([termIgnoringTree(n), termIgnoringTree(n)]);
  const slow = n.stopAll({ graceMs: LONG });
  const closing = n.close({ graceMs: 1e12 });
  const fast = n.stopAll({ signal: 'SIGKILL', graceMs: 0 });
  const [exits] = await within(Promise.all([slow, fast, closing]), 'stopAll() and close() after an escalation');
  assert.deepEqual(
    exits.map((e) => e.signal),
    ['SIGKILL', 'SIGKILL'],
  );
  assert.deepEqual(trees.flatMap((t) => t.all).filter(alive), []);
});

test('a milder second stop changes nothing', async () => {
  const { child, all } = await termIgnoringTree(nursery);
  const first = child.stop({ graceMs: 0 });
  const info = await within(child.stop({ graceMs: LONG }), 'the milder stop');
  assert.equal(info.signal, 'SIGKILL');
  assert.deepEqual(await first, info);
  assert.deepEqual(all.filter(alive), []);
});

test('assert no leftovers', assertNoLeftovers);
