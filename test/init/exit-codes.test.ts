// The command's exit code comes back through the init: every code (a spread here; bench/init-codes
// checks all 256), 128 + n for a death by signal n, 127 and 126 when the command cannot be run,
// and --remap-exit. As PID 1 of a real PID namespace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startInit } from '../helpers/init.js';
import { pidnsSkip } from '../helpers/pidns.js';
import { assertNoLeftovers } from '../helpers/proc.js';

const skip = pidnsSkip();
const dir = mkdtempSync(join(tmpdir(), 'nursery-init-codes-'));

async function codeOf(command: string[], initArgs: string[] = []): Promise<{ code: number | null; err: string }> {
  const run = startInit(initArgs, command, { pidns: true });
  try {
    const { code } = await run.exit;
    return { code, err: run.err() };
  } finally {
    await run.kill();
  }
}

test('exit codes 0, 1, 2, 42, 100, 126, 127, 128, 200 and 255 come back unchanged', { skip }, async () => {
  for (const n of [0, 1, 2, 42, 100, 126, 127, 128, 200, 255]) {
    const { code, err } = await codeOf(['sh', '-c', `exit ${n}`]);
    assert.equal(code, n, `exit ${n}`);
    assert.equal(err, '', 'nothing on stderr at the normal log level');
  }
});

test('a death by signal n exits with 128 + n', { skip }, async () => {
  for (const [sig, n] of [
    ['TERM', 15],
    ['KILL', 9],
    ['USR1', 10],
    ['SEGV', 11],
  ] as const) {
    const { code } = await codeOf(['sh', '-c', `kill -${sig} $$`]);
    assert.equal(code, 128 + n, `killed by SIG${sig}`);
  }
});

test(
  'a command that does not exist exits 127, one that cannot be executed 126, each with a reason',
  { skip },
  async () => {
    const missing = await codeOf(['no-such-command-for-nursery']);
    assert.equal(missing.code, 127);
    assert.match(missing.err, /cannot run "no-such-command-for-nursery": ENOENT/);
    const plain = join(dir, 'not-executable');
    writeFileSync(plain, 'echo hi\n');
    chmodSync(plain, 0o644);
    const denied = await codeOf([plain]);
    assert.equal(denied.code, 126);
    assert.match(denied.err, /EACCES/);
    const dirAsCommand = await codeOf([dir]);
    assert.equal(dirAsCommand.code, 126, 'a directory is not a command');
  },
);

test('--remap-exit maps codes (repeatable, and after 128 + n), and leaves others alone', { skip }, async () => {
  const remap = ['--remap-exit', '143:0', '-e', '3:4'];
  assert.equal((await codeOf(['sh', '-c', 'kill -TERM $$'], remap)).code, 0, 'SIGTERM (143) mapped to 0');
  assert.equal((await codeOf(['sh', '-c', 'exit 3'], remap)).code, 4);
  assert.equal((await codeOf(['sh', '-c', 'exit 5'], remap)).code, 5);
});

test('bad options are a usage error (exit 2) naming the problem, and nothing is started', async () => {
  for (const [args, re] of [
    [['--grace-ms', 'soon'], /--grace-ms must be a whole number/],
    [['--remap-exit', '300:0'], /between 0 and 255/],
    [['--remap-exit', 'x'], /FROM:TO/],
    [['--frobnicate'], /unknown option "--frobnicate"/],
    [[], /no command given/],
  ] as const) {
    const run = startInit([...args], [], { pidns: false });
    const { code } = await run.exit;
    assert.equal(code, 2, args.join(' '));
    assert.match(run.err(), re);
  }
});

test('the test file leaves no child or zombie behind', async () => {
  rmSync(dir, { recursive: true, force: true });
  await assertNoLeftovers();
});
