// At a terminal (under script(1), which gives the init a real pseudo-terminal): the command's
// group is made the terminal's foreground group, so Ctrl-C typed there reaches the command as a
// shell user expects, and the init's exit code says how the command took it.
/* eslint-disable nursery/no-raw-child-process -- script(1) is started directly */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { NURSERY_BIN } from '../helpers/init.js';
import { pidnsSkip } from '../helpers/pidns.js';
import { assertNoLeftovers, waitFor } from '../helpers/proc.js';

function whyNot(): string | false {
  const r = spawnSync('script', ['-qec', 'true', '/dev/null'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return 'script(1) from util-linux cannot run here';
  return false;
}
const skip = whyNot();
const nsSkip = skip || pidnsSkip();

// Fields 5 and 8 of /proc/<pid>/stat: the process group and the terminal's foreground group.
const CHILD =
  'trap "echo got-INT; exit 42" INT; ' +
  'echo "groups $(cut -d" " -f5,8 /proc/$$/stat)"; echo ready; while :; do sleep 5 & wait $!; done';

for (const pidns of [false, true]) {
  const where = pidns ? 'as PID 1' : 'as a subreaper';
  test(`${where}: Ctrl-C at the terminal reaches the command, which holds the foreground`, async (t) => {
    const why = pidns ? nsSkip : skip;
    if (why) return t.skip(why);
    const init = `${NURSERY_BIN} init -- sh -c '${CHILD}'`;
    const line = pidns ? `unshare --pid --fork --mount-proc --kill-child ${init}` : init;
    const script = spawn('script', ['-qec', line, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    script.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const exited = once(script, 'exit');
    try {
      await waitFor(() => /ready/.test(out), 30_000, `the command to start (${JSON.stringify(out)})`);
      const [pgrp, foreground] = (/groups (\d+) (\d+)/.exec(out) ?? []).slice(1).map(Number);
      assert.ok(pgrp !== undefined && pgrp > 0);
      assert.equal(foreground, pgrp, "the command's group is the terminal's foreground group");
      script.stdin.write('\x03');
      const [code] = (await exited) as [number | null];
      assert.match(out, /got-INT/);
      assert.equal(code, 42, "script -e passes the init's code, which is the command's");
    } finally {
      if (script.exitCode === null && script.signalCode === null) {
        script.kill('SIGKILL');
        await exited;
      }
    }
  });
}

test('Ctrl-Z in an interactive shell stops the command and the init; fg continues both; Ctrl-C ends it', async (t) => {
  if (skip) return t.skip(skip);
  const bash = spawnSync('bash', ['--version']);
  if (bash.error || bash.status !== 0) return t.skip('bash is not installed');
  const script = spawn('script', ['-qc', 'bash --norc --noprofile -i', '/dev/null'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, PS1: '$ ', TERM: 'dumb' },
  });
  let out = '';
  script.stdout.on('data', (c: Buffer) => (out += c.toString().replace(/\r/g, '')));
  const exited = once(script, 'exit');
  const seen = async (re: RegExp, what: string): Promise<void> =>
    waitFor(() => re.test(out), 30_000, `${what} (${JSON.stringify(out.slice(-300))})`);
  try {
    const child = 'trap "echo got-INT; exit 42" INT; echo ready; while :; do sleep 1; echo tick; done';
    script.stdin.write(`${NURSERY_BIN} init -- sh -c '${child}'\n`);
    await seen(/^ready$/m, 'the command to start');
    script.stdin.write('\x1a');
    await seen(/Stopped/, 'the shell to report the job stopped');
    const mark = out.length;
    script.stdin.write('fg\n');
    await waitFor(() => /^tick$/m.test(out.slice(mark)), 30_000, 'the command to run again after fg');
    script.stdin.write('\x03');
    await seen(/got-INT/, 'Ctrl-C to reach the command');
    script.stdin.write('echo "rc=$?"\n');
    await seen(/^rc=42$/m, "the init's exit code at the shell");
    script.stdin.write('exit\n');
    await exited;
  } finally {
    if (script.exitCode === null && script.signalCode === null) {
      script.kill('SIGKILL');
      await exited;
    }
  }
});

test('the test file leaves no child or zombie behind', async () => {
  await assertNoLeftovers();
});
