// A daemon's member that forks as it dies (a shell's TERM trap starting one more command) leaves
// a child that no walk reaches: orphaned, it is only in the daemon's session. The daemon's stop
// looks at that session once more before it says the daemon is gone.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopDaemonsUnder } from '../helpers/daemons.js';
import { Nursery } from '../../src/index.js';
import { alive, assertNoLeftovers, stat, waitFor } from '../helpers/proc.js';

const base = mkdtempSync(join(tmpdir(), `nursery-late-fork-${process.pid}-`));
const nursery = new Nursery({ subreaper: true, log: false, registryDir: join(base, 'reg') });
after(async () => {
  await nursery.close();
  await stopDaemonsUnder(base);
});

const catchesTerm = (pid: number): boolean => {
  try {
    const mask = /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1] ?? '0';
    return (BigInt(`0x${mask}`) & (1n << 14n)) !== 0n;
  } catch {
    return false;
  }
};

test("a daemon's stop reaches the child its shell forks while dying", async () => {
  const file = join(base, 'late');
  const late = `sleep 1000 </dev/null >/dev/null 2>&1 & echo $! > ${file}.tmp; mv ${file}.tmp ${file}; exit 0`;
  const script = `trap '${late}' TERM\nwhile :; do sleep 0.05; done`;
  const d = await nursery.spawn({ mode: 'daemon', command: 'sh', args: ['-c', script] });
  await waitFor(() => catchesTerm(d.pid), 10_000, 'the TERM trap');
  await d.stop({ graceMs: 60_000 });
  await waitFor(() => existsSync(file), 10_000, 'the late child to be reported');
  const child = Number(readFileSync(file, 'latin1'));
  const s = stat(child);
  if (s !== null && s.comm === 'sleep' && alive(child)) {
    process.kill(child, 'SIGKILL');
    assert.fail('the child forked by the dying daemon outlived its stop');
  }
});

test('assert no leftovers', assertNoLeftovers);
