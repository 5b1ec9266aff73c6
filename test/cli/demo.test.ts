import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Nursery } from '../../src/index.js';
import { assertNoLeftovers } from '../helpers/proc.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

// What child_process leaves in each scenario, in the table's order: exact counts, since the demo
// counts once each scenario is over rather than after a fixed pause.
const LEFT_BY_CHILD_PROCESS = [
  '1 running, 1 zombie',
  '1 running, 0 zombies',
  '0 running, 20 zombies',
  '0 running, 500 zombies',
  // A zombie per pod daemon released by a double fork (10 pods), then one for the daemon released
  // with detached and unref() by an app instance that has since restarted.
  '0 running, 10 zombies',
  '0 running, 1 zombie',
];

test('nursery demo shows the leaks with child_process and none with nursery, and exits 0', async () => {
  const nursery = new Nursery({ subreaper: true, log: false });
  const started = performance.now();
  const r = await nursery.run(process.execPath, [MAIN, 'demo'], { timeoutMs: 300_000 });
  const tookMs = performance.now() - started;
  await nursery.close();
  // No scenario lost its report (the race of an 'exit' listener added after the exit).
  assert.doesNotMatch(r.stderr, /printed no report/, r.stderr);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const rows = r.stdout.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| scenario'));
  assert.equal(rows.length, LEFT_BY_CHILD_PROCESS.length);
  const cells = rows.map((row) => row.split('|').map((c) => c.trim()));
  assert.deepEqual(
    cells.filter((c) => c.includes('error')),
    [],
    'a scenario printed no report',
  );
  assert.deepEqual(
    cells.map((c) => c[3]),
    LEFT_BY_CHILD_PROCESS,
    'what child_process leaves',
  );
  assert.deepEqual(
    cells.map((c) => c[4]),
    Array(LEFT_BY_CHILD_PROCESS.length).fill('0 running, 0 zombies'),
    'what nursery leaves',
  );
  assert.match(r.stdout, /nursery left nothing behind/);
  // Strict: no app needed its 60 s safety timeout (an escaped grandchild holding a pipe made every
  // run wait it out). Loose: the whole time, a few seconds on an idle machine, far more beside fork
  // loops on a shared one.
  assert.doesNotMatch(r.stderr, /did not end by itself/);
  assert.ok(tookMs < 240_000, `the demo took ${Math.round(tookMs)} ms`);
});

test('nursery with no command prints usage and exits 2; an unknown command too', async () => {
  const nursery = new Nursery({ log: false });
  const none = await nursery.run(process.execPath, [MAIN]);
  assert.equal(none.code, 2);
  assert.match(none.stdout, /usage: nursery/);
  const bad = await nursery.run(process.execPath, [MAIN, 'frobnicate']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown command "frobnicate"/);
  await nursery.close();
});

test('the test file leaves no child or zombie behind', async () => {
  await assertNoLeftovers();
});
