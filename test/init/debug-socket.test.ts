// `nursery init --debug-socket PATH` (issue 12): the init serves /debug/processes on a 0600 unix
// socket, and `nursery ps --socket PATH` shows its command with the tree under it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nursery } from '../../src/index.js';
import { NURSERY_BIN, startInit } from '../helpers/init.js';
import { assertNoLeftovers, waitFor } from '../helpers/proc.js';

const nursery = new Nursery({ logger: false });

test('the init serves its command and the tree under it; nursery ps reads it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nursery-init-debug-'));
  const socket = join(dir, 'init.sock');
  const run = startInit(['--debug-socket', socket], ['sh', '-c', 'sleep 600 & sleep 601 & wait'], { pidns: false });
  try {
    await waitFor(() => existsSync(socket), 30_000, 'the debug socket');
    assert.equal(statSync(socket).mode & 0o777, 0o600);
    type Snap = { children: { owner: string; command: string; tree: { argv: string[] }[] }[] };
    // The shell may not have started both sleeps yet: ask again until it has (bounded).
    let snapshot: Snap | null = null;
    const deadline = Date.now() + 30_000;
    while ((snapshot?.children[0]?.tree.length ?? 0) !== 2) {
      assert.ok(Date.now() < deadline, `the two sleeps never showed: ${JSON.stringify(snapshot)}`);
      const r = await nursery.run(NURSERY_BIN, ['ps', '--socket', socket, '--json'], { timeoutMs: 60_000 });
      assert.equal(r.code, 0, r.stderr);
      snapshot = JSON.parse(r.stdout) as Snap;
    }
    const [main] = snapshot?.children ?? [];
    assert.equal(main?.owner, 'init');
    assert.equal(main?.command, 'sh');
    assert.deepEqual(main?.tree.map((n) => n.argv.join(' ')).sort(), ['sleep 600', 'sleep 601']);
    const table = await nursery.run(NURSERY_BIN, ['ps', '--socket', socket], { timeoutMs: 60_000 });
    assert.match(table.stdout, /^init \(1\)$/m);
    run.child.kill('SIGTERM');
    await run.exit;
    assert.equal(existsSync(socket), false, 'the socket is removed at shutdown');
  } finally {
    await run.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the test file leaves no child or zombie behind', async () => {
  await nursery.close();
  await assertNoLeftovers();
});
