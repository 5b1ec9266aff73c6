// A member that left the leader's group but not its session, and whose parent is gone, is found
// by the session scan however empty the group is:
//   bash -c 'bash -c "set -m; sleep 302 & ..."; exec sleep 300'
// The inner shell puts `sleep 302` in a group of its own and exits; `sleep 302` is then nobody's
// descendant, and its NURSERY_TREE tag is removed (env -u), so neither the walk nor the adopted
// orphans (this process is a subreaper) can find it: only its session links it to the tree.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nursery } from '../../src/index.js';
import { alive, assertNoLeftovers, holdUntil, stat } from '../helpers/proc.js';

const nursery = new Nursery({ subreaper: true, log: false });
const dir = mkdtempSync(join(tmpdir(), `nursery-session-${process.pid}-`));
after(async () => {
  await nursery.close({ signal: 'SIGKILL' });
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
// The command, and a probe that reads "<sleep 302's pid> <outer shell's pid>" once the outer
// shell has become `sleep 300` (so the inner shell is gone and `sleep 302` orphaned).
function scenario(): { args: string[]; ready: () => { escapee: number; start: number } | null } {
  const file = join(dir, `pids-${++n}`);
  const inner = `set -m; env -u NURSERY_TREE sleep 302 </dev/null >/dev/null 2>&1 & echo $! $PPID > ${file}.tmp`;
  const args = ['-c', `bash -c '${inner}; mv ${file}.tmp ${file}'; exec sleep 300`];
  const ready = (): { escapee: number; start: number } | null => {
    if (!existsSync(file)) return null;
    const [escapee, outer] = readFileSync(file, 'latin1').trim().split(' ').map(Number);
    const e = stat(escapee ?? 0);
    if (stat(outer ?? 0)?.comm !== 'sleep' || e === null || e.comm !== 'sleep') return null;
    return { escapee: e.pid, start: e.startTime };
  };
  return { args, ready };
}

const sameAlive = (p: { escapee: number; start: number }): boolean =>
  alive(p.escapee) && stat(p.escapee)?.startTime === p.start;

test('stop() reaches a session member outside the group after its parent exited', async (t) => {
  const { args, ready } = scenario();
  const child = nursery.spawn({ command: 'bash', args, stdio: 'ignore' });
  let p: ReturnType<typeof ready> = null;
  holdUntil(() => (p = ready()) !== null, 30_000, 'sleep 302 to be orphaned');
  const escapee = p as unknown as { escapee: number; start: number };
  t.after(() => void (sameAlive(escapee) && process.kill(escapee.escapee, 'SIGKILL')));
  assert.notEqual(stat(escapee.escapee)?.pgrp, child.pid, 'sleep 302 left the group');
  assert.equal(stat(escapee.escapee)?.session, child.pid, 'but not the session');
  const info = await child.stop();
  assert.equal(info.stopped, true);
  assert.equal(sameAlive(escapee), false, 'sleep 302 survived stop()');
});

test("run()'s timeout reaches it too", async (t) => {
  const { args, ready } = scenario();
  const running = nursery.run('bash', args, { timeoutMs: 1 });
  // The loop is held, so the 1 ms timeout fires only once the escapee is orphaned.
  let p: ReturnType<typeof ready> = null;
  holdUntil(() => (p = ready()) !== null, 30_000, 'sleep 302 to be orphaned');
  const escapee = p as unknown as { escapee: number; start: number };
  t.after(() => void (sameAlive(escapee) && process.kill(escapee.escapee, 'SIGKILL')));
  const r = await running;
  assert.equal(r.timedOut, true);
  assert.equal(sameAlive(escapee), false, "sleep 302 survived run()'s timeout");
});

test('assert no leftovers', assertNoLeftovers);
