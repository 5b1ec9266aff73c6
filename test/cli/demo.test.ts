import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Nursery } from '../../src/index.js';
import { assertNoLeftovers } from '../helpers/proc.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

test('nursery demo shows the leaks with child_process and none with nursery, and exits 0', async () => {
  const nursery = new Nursery({ subreaper: true, log: false });
  const r = await nursery.run(process.execPath, [MAIN, 'demo'], { timeoutMs: 120_000 });
  await nursery.close();
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const rows = r.stdout.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| scenario'));
  assert.equal(rows.length, 4);
  for (const row of rows) {
    const cells = row.split('|').map((c) => c.trim());
    assert.equal(cells[4], '0 running, 0 zombies', row);
    assert.notEqual(cells[3], '0 running, 0 zombies', `child_process should leak in: ${row}`);
  }
  assert.match(r.stdout, /nursery left nothing behind/);
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
