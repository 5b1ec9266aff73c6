// Where cgroups cannot be made, 'cgroup' fails with a typed error naming what is missing, and
// 'auto' falls back to process groups with one warning that says why, however many children it
// starts. Two ways to be refused: a non-root user (setpriv to nobody), and a read-only cgroup2
// mount (a private mount namespace in which it is remounted read-only).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Nursery } from '../../src/index.js';
import { assertNoLeftovers } from '../helpers/proc.js';
import { FIXTURES, readJsonLine } from '../helpers/tree.js';
import { cgroupSkip, ownCgroupDir, ourSubtrees } from '../helpers/cgroup.js';

const skip = cgroupSkip();
const HOST = `${FIXTURES}cgroup-denied.js`;
const launcher = new Nursery({ log: false });
after(() => launcher.close({ signal: 'SIGKILL' }));

interface Seen {
  error: { name: string; code: string; message: string } | null;
  warnings: string[];
  cgroups: string[];
  own: string;
  pids: number[];
  pgids: number[];
  exits: { stopped: boolean }[];
}

async function runDenied(command: string, args: string[]): Promise<Seen> {
  const host = launcher.spawn({ command, args, stdio: ['ignore', 'pipe', 'inherit'] });
  const seen = await readJsonLine<Seen>(host.stdout);
  assert.equal((await host.exited).code, 0);
  return seen;
}

function judge(seen: Seen, why: RegExp): void {
  assert.ok(seen.error, "containment 'cgroup' threw");
  assert.equal(seen.error.name, 'NurseryError');
  assert.equal(seen.error.code, 'ERR_NURSERY_NO_CGROUP');
  assert.match(seen.error.message, why);
  const ours = seen.warnings.filter((w) => w.startsWith('NURSERY_NO_CGROUP '));
  assert.equal(ours.length, 1, seen.warnings.join('\n'));
  assert.match(ours[0] ?? '', why);
  assert.deepEqual(seen.warnings.length, 1, 'no other warning');
  // Contained by their groups: each in the host's own cgroup, leading its own group, stopped.
  assert.deepEqual(seen.cgroups, [seen.own, seen.own]);
  assert.deepEqual(seen.pgids, seen.pids);
  assert.ok(seen.exits.every((e) => e.stopped));
}

test('a non-root user: typed error for cgroup, one warning and groups for auto', { skip }, async () => {
  const seen = await runDenied('setpriv', [
    '--reuid=65534',
    '--regid=65534',
    '--clear-groups',
    process.execPath,
    '--no-warnings',
    HOST,
  ]);
  judge(seen, /no write access to this process's cgroup .* \(EACCES\)/);
});

test('a read-only cgroup2 mount: the same, naming the read-only mount', { skip }, async (t) => {
  const dir = ownCgroupDir() ?? '';
  const script = `mount -o remount,ro,bind "$1" || exit 99; shift; exec "$@"`;
  const host = launcher.spawn({
    command: 'unshare',
    args: [
      '--mount',
      '--propagation',
      'private',
      'sh',
      '-c',
      script,
      'sh',
      dir,
      process.execPath,
      '--no-warnings',
      HOST,
    ],
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = readJsonLine<Seen>(host.stdout).catch(() => null);
  const seen = await line;
  const exit = await host.exited;
  if (seen === null) return t.skip(`cannot remount the cgroup2 file system read-only here (exit ${exit.code})`);
  judge(seen, /EROFS, the cgroup2 file system is mounted read-only/);
});

test('nothing of the refused runs is left in our cgroup', () => {
  assert.deepEqual(ourSubtrees(), []);
});

test('no leftovers', async () => {
  await assertNoLeftovers();
});
