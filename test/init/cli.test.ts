// The init's command line beyond signals and shutdown: --help, --quiet, the command's working
// directory (the init leaves its own, never the command's), and --parent-death-signal.
/* eslint-disable nursery/no-raw-child-process -- the init's parent is a shell started directly */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NURSERY_BIN, startInit } from '../helpers/init.js';
import { alive, assertNoLeftovers, waitFor } from '../helpers/proc.js';

const dir = mkdtempSync(join(tmpdir(), 'nursery-init-cli-'));

test('--help prints the usage on stdout and exits 0, starting nothing', async () => {
  const run = startInit(['--help'], ['sh', '-c', 'echo started'], { pidns: false });
  assert.equal((await run.exit).code, 0);
  assert.match(run.out.join('\n'), /usage: nursery init \[options\] -- <command>/);
  assert.ok(!run.out.includes('started'));
});

test('--quiet keeps even the SIGKILL warning off stderr; the default prints it', async () => {
  const cmd = ['sh', '-c', "(trap '' TERM; sleep 600 &); exit 0"];
  const quiet = startInit(['-q', '--grace-ms', '100'], cmd, { pidns: false });
  assert.equal((await quiet.exit).code, 0);
  assert.equal(quiet.err(), '');
  const normal = startInit(['--grace-ms', '100'], cmd, { pidns: false });
  assert.equal((await normal.exit).code, 0);
  assert.match(normal.err(), /^nursery init: 1 process\(es\) still running after 100 ms: SIGKILL\n$/);
});

test("the command runs in the init's starting directory, with the init's environment", async () => {
  const run = startInit([], ['sh', '-c', 'pwd; echo "x=$NURSERY_TEST_X sigign=${NURSERY_INIT_SIGIGN-unset}"'], {
    pidns: false,
    env: { ...process.env, NURSERY_TEST_X: 'y' },
  });
  assert.equal((await run.exit).code, 0);
  assert.deepEqual(run.out.filter(Boolean), [process.cwd(), 'x=y sigign=unset']);
});

test("-p TERM: when the init's parent dies, the init stops its command and exits", async () => {
  const file = join(dir, 'got-term');
  const command = `trap 'echo got-TERM > ${file}; exit 0' TERM; echo ready; while :; do sleep 5 & wait $!; done`;
  // The parent: a shell that starts the init in the background and waits.
  const parent = spawn('sh', ['-c', `"$0" init -p TERM -- sh -c "$1" & echo "init $!"; wait`, NURSERY_BIN, command], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  parent.stdout.on('data', (c: Buffer) => (out += c.toString()));
  await waitFor(() => /ready/.test(out), 30_000, 'the command to start');
  const init = Number(/init (\d+)/.exec(out)?.[1]);
  parent.kill('SIGKILL');
  await waitFor(() => existsSync(file) && !alive(init), 30_000, 'the command to get SIGTERM and the init to exit');
  assert.equal(readFileSync(file, 'utf8'), 'got-TERM\n');
});

test('the test file leaves no child or zombie behind', async () => {
  rmSync(dir, { recursive: true, force: true });
  await assertNoLeftovers();
});
