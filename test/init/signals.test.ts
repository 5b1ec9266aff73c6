// Signals: what the init gets, its command gets (TERM, USR1, USR2, HUP trapped and reported), or its
// whole group with --group; the command starts with an empty mask, every disposition at its
// default except those the init inherited as ignored; and the init leaves its working directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readlinkSync } from 'node:fs';
import { startInit } from '../helpers/init.js';
import { pidnsSkip } from '../helpers/pidns.js';
import { assertNoLeftovers, stat, waitFor } from '../helpers/proc.js';

const skip = pidnsSkip();
const TRAPS = `for s in TERM USR1 USR2 HUP; do trap "echo got-$s" $s; done; trap 'echo got-INT; exit 7' INT;`;
// `wait` on a background sleep returns as soon as a trapped signal arrives.
const LOOP = 'while :; do sleep 5 & wait $!; done';

for (const pidns of [true, false]) {
  const where = pidns ? 'as PID 1' : 'as a subreaper';
  test(`${where}: TERM, USR1, USR2 and HUP sent to the init reach the command's traps; INT ends it`, async (t) => {
    if (pidns && skip) return t.skip(skip);
    const run = startInit([], ['sh', '-c', `${TRAPS} echo ready; ${LOOP}`], { pidns });
    try {
      await run.line(/^ready$/);
      const init = await run.initPid();
      for (const sig of ['TERM', 'USR1', 'USR2', 'HUP'] as const) {
        process.kill(init, `SIG${sig}`);
        await run.line(new RegExp(`^got-${sig}$`));
      }
      process.kill(init, 'SIGINT');
      const { code } = await run.exit;
      assert.equal(code, 7, "the command's own exit code, from its INT trap");
      assert.ok(run.out.includes('got-INT'));
    } finally {
      await run.kill();
    }
  });
}

test('--group forwards to the whole process group of the command', { skip }, async () => {
  // The command's child, in its group, reports USR1 too; without --group only the command would.
  const inner = `trap 'echo inner-USR1' USR1; echo inner-ready; ${LOOP}`;
  const script = `trap 'echo outer-USR1' USR1; trap 'exit 0' TERM; sh -c "${inner}" & echo outer-ready; ${LOOP}`;
  const run = startInit(['--group'], ['sh', '-c', script], { pidns: true });
  try {
    await run.line(/^outer-ready$/);
    await run.line(/^inner-ready$/);
    process.kill(await run.initPid(), 'SIGUSR1');
    await run.line(/^outer-USR1$/);
    await run.line(/^inner-USR1$/);
    process.kill(await run.initPid(), 'SIGTERM');
    assert.equal((await run.exit).code, 0);
  } finally {
    await run.kill();
  }
});

test('the command starts with an empty signal mask and the ignored signals the init inherited', { skip }, async () => {
  const show = ['grep', '-E', '^(SigBlk|SigIgn)', '/proc/self/status'];
  const plain = startInit([], show, { pidns: true });
  assert.equal((await plain.exit).code, 0);
  assert.deepEqual(plain.out.filter(Boolean), ['SigBlk:\t0000000000000000', 'SigIgn:\t0000000000000000']);
  // HUP is 1 and USR1 10: bits 0 and 9. Node resets both when it starts; bin/nursery recorded them.
  const ignoring = startInit([], show, { pidns: true, wrap: "trap '' HUP USR1;" });
  assert.equal((await ignoring.exit).code, 0);
  assert.deepEqual(ignoring.out.filter(Boolean), ['SigBlk:\t0000000000000000', 'SigIgn:\t0000000000000201']);
});

test('an inherited ignored SIGCHLD is not kept: the init still learns its command exited', async () => {
  // Ignored, SIGCHLD makes the kernel reap the command before the init can: it would wait for ever.
  const run = startInit([], ['sh', '-c', 'grep -E "^SigIgn" /proc/self/status; exit 4'], {
    pidns: false,
    wrap: "trap '' CHLD HUP USR1;",
  });
  assert.equal((await run.exit).code, 4);
  assert.deepEqual(run.out.filter(Boolean), ['SigIgn:\t0000000000000201'], 'HUP and USR1 kept, CHLD not');
});

test('the command has a process group of its own in the init session; the init leaves its directory', async () => {
  const run = startInit([], ['sh', '-c', `echo "$$ $(cut -d' ' -f5,6 /proc/$$/stat)"; echo ready; ${LOOP}`], {
    pidns: false,
  });
  try {
    const [pid, pgrp, session] = (await run.line(/^\d+ \d+ \d+$/)).split(' ').map(Number);
    assert.equal(pgrp, pid, 'a group of its own');
    const init = await run.initPid();
    assert.equal(session, stat(init)?.session, "no new session: the init's own, so a terminal stays theirs");
    assert.notEqual(pgrp, init, "not the init's group");
    await waitFor(() => readlinkSync(`/proc/${init}/cwd`) === '/', 10_000, 'the init to chdir to /');
    process.kill(init, 'SIGTERM');
    assert.equal((await run.exit).code, 143);
  } finally {
    await run.kill();
  }
});

test('the test file leaves no child or zombie behind', async () => {
  await assertNoLeftovers();
});
