// A spawn that fails on a limit says which one, with the OS error as `cause` and its `errno`:
// open files (EMFILE, `ulimit -n`) and processes (EAGAIN, `ulimit -u`). Root ignores RLIMIT_NPROC,
// so the process limit is tried as the unprivileged user 65534 (nobody), through setpriv.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { Nursery } from '../../src/index.js';
import { assertNoLeftovers } from '../helpers/proc.js';
import { FIXTURES } from '../helpers/tree.js';

const nursery = new Nursery({ subreaper: true, log: false });
after(() => nursery.close({ signal: 'SIGKILL' }));

interface Reported {
  nursery: boolean;
  code?: string;
  errno?: number;
  message?: string;
  cause: { code?: string; errno?: number } | null;
}

async function fixture(command: string, args: string[]): Promise<Reported> {
  const r = await nursery.run(command, args, { timeoutMs: 120_000 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  assert.ok(line.startsWith('{'), `the fixture reported: ${r.stdout} ${r.stderr} (exit ${r.code} ${r.signal})`);
  return JSON.parse(line) as Reported;
}

test('EMFILE: ERR_NURSERY_SPAWN_FAILED with the OS error as cause, naming ulimit -n', async () => {
  const fixtureJs = `${FIXTURES}spawn-limit.js`;
  const e = await fixture('sh', ['-c', 'ulimit -n 64 && exec "$0" "$@"', process.execPath, fixtureJs, 'fds']);
  assert.equal(e.nursery, true);
  assert.equal(e.code, 'ERR_NURSERY_SPAWN_FAILED');
  assert.equal(e.errno, -24);
  assert.deepEqual(e.cause, { code: 'EMFILE', errno: -24 });
  assert.match(e.message ?? '', /open files.*ulimit -n/);
});

// Tasks (threads count) of a uid, machine-wide: RLIMIT_NPROC counts them all.
function tasksOf(uid: number): number {
  let n = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const s = readFileSync(`/proc/${name}/status`, 'latin1');
      if (new RegExp(`^Uid:\\s+${uid}\\s`, 'm').test(s)) n += Number(/^Threads:\s+(\d+)/m.exec(s)?.[1] ?? 1);
    } catch {
      // gone
    }
  }
  return n;
}

const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));
const bash = ['/bin/bash', '/usr/bin/bash'].find((p) => existsSync(p));
const skipProcs =
  process.getuid?.() !== 0
    ? 'needs root, to run the fixture as an unprivileged user (root ignores ulimit -u)'
    : setpriv === undefined || bash === undefined
      ? 'needs setpriv and bash'
      : false;

test('EAGAIN: ERR_NURSERY_SPAWN_FAILED with errno EAGAIN, naming ulimit -u', { skip: skipProcs }, async () => {
  // Room for node's own threads and some sleeps, whatever else runs as that user.
  const limit = tasksOf(65534) + 40;
  const script = `ulimit -u ${limit} && cd / && exec "$0" "$@"`;
  const e = await fixture(setpriv as string, [
    '--reuid=65534',
    '--regid=65534',
    '--clear-groups',
    bash as string,
    '-c',
    script,
    process.execPath,
    `${FIXTURES}spawn-limit.js`,
    'procs',
  ]);
  assert.equal(e.nursery, true);
  assert.equal(e.code, 'ERR_NURSERY_SPAWN_FAILED');
  assert.equal(e.errno, -11);
  assert.deepEqual(e.cause, { code: 'EAGAIN', errno: -11 });
  assert.match(e.message ?? '', /processes.*ulimit -u/);
});

test('assert no leftovers', assertNoLeftovers);
