// Under our subreaper, a daemon that a finished command detached (`setsid -f`, `git gc --auto`)
// is adopted by us and keeps the tree's NURSERY_TREE tag, though no group, session or walk reaches
// it any more. run()'s default killLeftovers stops it with the rest of the tree; killLeftovers:
// false keeps it; close() leaves nothing tagged by its Nursery running.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nursery } from '../../src/index.js';
import { alive, assertNoLeftovers, stat } from '../helpers/proc.js';

const nursery = new Nursery({ subreaper: true, log: false });
const dir = mkdtempSync(join(tmpdir(), `nursery-detached-${process.pid}-`));
after(async () => {
  await nursery.close({ signal: 'SIGKILL' });
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
// The command returns once the detached daemon has written its PID.
function detaching(): { args: string[]; daemonPid: () => number } {
  const f = join(dir, `daemon-${++n}`);
  const daemon = `setsid -f sh -c 'echo $$ > ${f}.tmp; mv ${f}.tmp ${f}; exec sleep 301' </dev/null >/dev/null 2>&1`;
  const args = ['-c', `${daemon}; while [ ! -e ${f} ]; do sleep 0.01; done`];
  return { args, daemonPid: () => (existsSync(f) ? Number(readFileSync(f, 'latin1')) : 0) };
}

const tagged = (pid: number, nurseryScope: string): boolean => {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').includes(`\0NURSERY_TREE=${nurseryScope}`);
  } catch {
    return false;
  }
};

test('run() with the default killLeftovers stops the daemon its command detached', async () => {
  const { args, daemonPid } = detaching();
  const r = await nursery.run('sh', args);
  assert.equal(r.code, 0);
  const pid = daemonPid();
  assert.ok(pid > 0);
  assert.equal(alive(pid), false, 'the detached daemon outlived run()');
});

test('killLeftovers: false keeps it, and close() stops it', async () => {
  const other = new Nursery({ subreaper: true, log: false });
  const { args, daemonPid } = detaching();
  const r = await other.run('sh', args, { killLeftovers: false });
  assert.equal(r.code, 0);
  const pid = daemonPid();
  const before = stat(pid);
  assert.ok(before !== null && alive(pid), 'killLeftovers: false keeps the daemon');
  assert.equal(before.ppid, process.pid, 'adopted by this process, our subreaper');
  assert.ok(tagged(pid, `${process.pid}.`), 'it carries our tree tag');
  await other.close();
  const after = stat(pid);
  assert.ok(after === null || after.startTime !== before.startTime || !alive(pid), 'close() left it running');
});

test('assert no leftovers', assertNoLeftovers);
