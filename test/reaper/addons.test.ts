// A native addon that may fork (node-pty) turns the immediate path off: its zombies could be the
// addon's own children, waited for by its own thread. The reaper learns of addons from
// /proc/self/maps, where the kernel marks a mapped file that was since unlinked or replaced on
// disk (an upgrade under a running process) with " (deleted)".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Nursery } from '../../src/index.js';
import { foreignAddonsLoaded } from '../../src/reaper/addons.js';
import { assertNoLeftovers, ownChildren, waitFor } from '../helpers/proc.js';
import { collect, shell } from './util.js';

// node-pty's own binary, loaded from a private copy so this file controls its path on disk.
function findPtyBinary(): string | null {
  try {
    const pkg = createRequire(import.meta.url).resolve('node-pty/package.json');
    return join(dirname(pkg), 'build', 'Release', 'pty.node');
  } catch {
    return null;
  }
}
const PTY_NODE = findPtyBinary();
const skip = PTY_NODE === null ? 'node-pty is not installed: no forking addon to load' : false;
const dir = mkdtempSync(join(tmpdir(), 'nursery-addon-'));
const copy = join(dir, 'pty.node');

const nursery = new Nursery({ subreaper: true, log: false });
const reaper = nursery.reaper;
assert.ok(reaper, 'the reaper starts with subreaper: true');

test('koffi alone is not reported as a foreign addon', () => {
  assert.deepEqual(foreignAddonsLoaded(), []);
});

test('a loaded native addon other than koffi is reported', { skip }, () => {
  copyFileSync(PTY_NODE as string, copy);
  const module = { exports: {} as Record<string, unknown> };
  process.dlopen(module, copy);
  assert.equal(typeof module.exports.fork, 'function', "it is node-pty's binary");
  assert.deepEqual(foreignAddonsLoaded(), [copy]);
});

test('a loaded addon whose file was deleted or replaced on disk is still reported', { skip }, () => {
  unlinkSync(copy);
  assert.deepEqual(foreignAddonsLoaded(), [copy], 'the mapping now ends in " (deleted)", and the addon is still there');
});

test('while that addon is loaded an orphan zombie takes the grace path', { skip }, async () => {
  const events = collect(reaper);
  const r = await shell('sleep 0.05 >/dev/null 2>&1 & echo $!');
  const [pid] = r.pids;
  assert.ok(pid);
  await waitFor(() => events.some((e) => e.pid === pid), 10_000, `the reap of orphan ${pid}`);
  assert.equal(events.find((e) => e.pid === pid)?.path, 'grace', 'an addon that may fork is loaded: no immediate reap');
});

test(
  'even with that addon loaded, members of a stopped tree that we adopted are reaped by the time stop() ' +
    'resolves: they are known to be ours',
  { skip },
  async () => {
    const events = collect(nursery.reaper as NonNullable<typeof nursery.reaper>);
    // The leader's setsid'd child outlives it for a moment, so it is adopted by us and dies here.
    const child = nursery.spawn({
      command: 'sh',
      args: ['-c', 'setsid sh -c "trap \'\' TERM; echo ready; exec sleep 1000" & exec sleep 1000'],
      stdio: ['ignore', 'pipe', 'ignore'],
      graceMs: 200,
    });
    await new Promise<void>((resolve) => child.stdout?.once('data', () => resolve()));
    await child.stop();
    const zombies = ownChildren().filter((c) => c.state === 'Z');
    assert.deepEqual(zombies, [], 'no zombie of the tree waits out reaper.graceMs');
    assert.ok(
      events.every((e) => e.path === 'immediate'),
      JSON.stringify(events),
    );
  },
);

test('the test file leaves no child or zombie behind', async () => {
  await nursery.close();
  rmSync(dir, { recursive: true, force: true });
  await assertNoLeftovers();
});
