// node-pty waits for its children from its own exit thread with waitpid(pid, 0). The reaper must
// never take one first, or node-pty reports garbage: while a native addon that may fork is
// loaded, untracked zombies take the grace path only.
/* eslint-disable nursery/no-raw-child-process --
   the reaper must coexist with plain child_process and node-pty: this test uses them on purpose */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Nursery } from '../../src/index.js';
import { DEFAULT_REAPER_GRACE_MS } from '../../src/options/nursery.js';
import { assertNoLeftovers, ownChildren, waitFor } from '../helpers/proc.js';
import { collect, shell, within } from './util.js';

interface Pty {
  pid: number;
  onExit(listener: (e: { exitCode: number; signal?: number }) => void): unknown;
}
interface PtyModule {
  spawn(
    file: string,
    args: string[],
    options: { cols?: number; rows?: number; cwd?: string; env?: NodeJS.ProcessEnv },
  ): Pty;
}

let pty: PtyModule | null = null;
let skip: string | false = false;
try {
  pty = createRequire(import.meta.url)('node-pty') as PtyModule;
} catch (error) {
  skip = `node-pty cannot load here (${(error as Error).message})`;
}

const nursery = new Nursery({ subreaper: true, log: false });
const reaper = nursery.reaper;
assert.ok(reaper, 'the reaper starts with subreaper: true');

function runPty(p: PtyModule, script: string): { pid: number; exited: Promise<{ exitCode: number; signal?: number }> } {
  const term = p.spawn('sh', ['-c', script], { cols: 80, rows: 24, cwd: process.cwd(), env: process.env });
  return { pid: term.pid, exited: new Promise((resolve) => term.onExit(resolve)) };
}

test('pty children exit with their real code while the reaper reaps orphans beside them', { skip }, async () => {
  assert.ok(pty);
  const events = collect(reaper);
  const ptys: { pid: number; want: number; exited: Promise<{ exitCode: number; signal?: number }> }[] = [];
  const shells: Promise<{ code: number | null; pids: number[] }>[] = [];
  for (let i = 0; i < 10; i++) {
    const want = 7 + i;
    // Half the pty children leave an orphan of their own. The pty's hangup when sh exits would
    // kill it before it reaches sleep, so it ignores SIGHUP (and leaves the session with setsid).
    const script = i % 2 === 0 ? `trap '' HUP; setsid sleep 0.1 >/dev/null 2>&1 & exit ${want}` : `exit ${want}`;
    ptys.push({ want, ...runPty(pty, script) });
    shells.push(shell('sleep 0.05 >/dev/null 2>&1 & echo $!; exit 0'));
  }
  const results = await within(Promise.all(ptys.map((p) => p.exited)), 30_000, "every pty child's onExit");
  assert.deepEqual(
    results.map((r) => r.exitCode),
    ptys.map((p) => p.want),
    'node-pty reports the code each child exited with',
  );
  assert.ok(results.every((r) => !r.signal));
  const plain = await Promise.all(shells);
  assert.ok(plain.every((s) => s.code === 0));
  const orphans = 5 + plain.length;
  await waitFor(() => events.length >= orphans, 20_000, `the reap of all ${orphans} orphans`);
  assert.equal(events.length, orphans);
  const ptyPids = new Set(ptys.map((p) => p.pid));
  assert.ok(!events.some((e) => ptyPids.has(e.pid)), 'no pty child was reaped by the reaper');
  assert.ok(
    events.every((e) => e.comm === 'sleep' && e.path === 'grace' && e.latencyMs >= DEFAULT_REAPER_GRACE_MS),
    `with node-pty loaded every orphan waited out the grace window: ${JSON.stringify(events)}`,
  );
  await waitFor(() => ownChildren().length === 0, 20_000, 'no child or zombie left');
});

test('the test file leaves no child or zombie behind', async () => {
  await nursery.close();
  await assertNoLeftovers();
});
