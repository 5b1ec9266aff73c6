// run({ killLeftovers }): a command whose job is to start a long-lived helper.
// The default stops what the command left behind; false lets it live. Judged through /proc.
//
// How git 2.39 starts its credential cache daemon (seen with strace -f, and in /proc below):
//   git credential approve
//     fork+exec   /bin/sh -c 'git credential-cache --socket S --timeout 300 store'
//                 (a helper with arguments is run through the shell)
//     vfork+exec  git credential-cache --socket S --timeout 300 store
//     fork+exec   git credential-cache--daemon S
// One plain fork, no double fork, no setsid() or setpgid(): the daemon stays in the process group
// and session of the command that run() started, and keeps its NURSERY_TREE tag, so the default
// tree stop finds it. credential-cache reads "ok\n" from the daemon's stdout (a pipe of its own),
// sends it the credential and exits, and so do sh and git. The orphaned daemon is then adopted by
// the nearest subreaper: this process, since its Nursery has subreaper: true (otherwise the test
// harness, whose orphans policy 'kill' would stop it after about 1 s). Its stdin is /dev/null, and
// once ready it points stdout and stderr at /dev/null: it holds none of run()'s pipes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nursery, NurseryOptionError } from '../../src/index.js';
import { readStat } from '../../src/os/proc.js';
import { SIGTERM } from '../../src/os/signals.js';
import { closeRef, isAlive, openRef, signalRef } from '../../src/terminate/identity.js';
import { type Stat, alive, assertNoLeftovers, stat, waitFor } from '../helpers/proc.js';

// subreaper: the daemon comes to this process, not to the harness; orphans: the default, 'keep'.
const nursery = new Nursery({ subreaper: true, log: false });
after(() => nursery.close());

const hasGit = await nursery.run('git', ['--version']).then(
  (r) => r.code === 0,
  () => false,
);
const skipGit = hasGit ? false : 'git is not installed';

const CREDENTIAL = 'protocol=https\nhost=example.com\nusername=u\npassword=p\n\n';
const QUERY = 'protocol=https\nhost=example.com\n\n';

interface GitHome {
  dir: string;
  sock: string;
  env: Record<string, string | undefined>;
}

// A fresh, private (0700, as the daemon demands) directory: HOME, and the daemon's socket.
function gitHome(): GitHome {
  const dir = mkdtempSync(join(tmpdir(), 'nursery-run-leftovers-'));
  const env = {
    HOME: dir,
    XDG_CONFIG_HOME: dir,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: undefined,
    SSH_ASKPASS: undefined,
  };
  return { dir, sock: join(dir, 'sock'), env };
}

const helper = (sock: string, extra = ''): string => `credential.helper=cache --socket ${sock}${extra}`;

/** Live processes whose command line is git's cache daemon serving `sock`. */
function daemons(sock: string): Stat[] {
  const out: Stat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${name}/cmdline`, 'latin1').split('\0');
    } catch {
      continue;
    }
    if (!argv.includes('credential-cache--daemon') || !argv.includes(sock)) continue;
    const s = stat(Number(name));
    if (s && alive(s.pid)) out.push(s);
  }
  return out;
}

const same = (s: Stat): boolean => alive(s.pid) && stat(s.pid)?.startTime === s.startTime;

// SIGTERM through a pidfd (or after a start-time check), then waits until it is gone.
async function stopChecked(pid: number, startTime: number): Promise<void> {
  const s = readStat(pid);
  if (s === null || s.startTime !== startTime) return;
  const ref = openRef(s);
  if (ref === null) return;
  try {
    assert.equal(signalRef(ref, SIGTERM), 'sent');
    await waitFor(() => !isAlive(ref), 5000, `pid ${pid} to exit`);
  } finally {
    closeRef(ref);
  }
}

// For a test that failed half-way: whatever still serves its socket is stopped, and the directory removed.
async function cleanUp(home: GitHome): Promise<void> {
  try {
    for (const d of daemons(home.sock)) await stopChecked(d.pid, d.startTime);
  } finally {
    rmSync(home.dir, { recursive: true, force: true });
  }
}

test(
  "killLeftovers: false leaves git's credential cache daemon serving after run() resolves",
  { skip: skipGit },
  async () => {
    const home = gitHome();
    try {
      const before = nursery.stats();
      const r = await nursery.run('git', ['-c', helper(home.sock, ' --timeout 300'), 'credential', 'approve'], {
        killLeftovers: false,
        input: CREDENTIAL,
        env: home.env,
      });
      assert.equal(r.code, 0, r.stderr);
      // credential-cache waited for the daemon's "ok" before it exited: the daemon runs by now.
      const found = daemons(home.sock);
      assert.equal(found.length, 1, 'one daemon serves the socket');
      const d = found[0] as Stat;
      assert.equal(d.ppid, process.pid, 'adopted by this process, the subreaper');
      assert.equal(d.pgrp, d.session, 'still in the group and session of the command, which led both');
      assert.equal(alive(d.session), false, 'whose leader, git credential approve, has exited');
      assert.equal(nursery.stats().leftoversStopped, before.leftoversStopped, 'nothing was stopped');

      // A second command talks to it through the socket.
      const fill = await nursery.run('git', ['-c', helper(home.sock), 'credential', 'fill'], {
        input: QUERY,
        env: home.env,
      });
      assert.equal(fill.code, 0, fill.stderr);
      assert.match(fill.stdout, /^username=u$/m);
      assert.match(fill.stdout, /^password=p$/m);
      assert.ok(same(d), 'the daemon still runs after a second command has talked to it');
      // 'keep', the default orphans policy, leaves an adopted orphan alone.
      assert.equal(nursery.stats().orphansKilled, 0);

      // Stop it the way git does, through run(), and see it go.
      const exit = await nursery.run('git', ['credential-cache', '--socket', home.sock, 'exit'], { env: home.env });
      assert.equal(exit.code, 0, exit.stderr);
      await waitFor(() => !same(d), 5000, `the daemon ${d.pid} to exit`);
      assert.equal(existsSync(home.sock), false, 'it removed its socket');
    } finally {
      await cleanUp(home);
    }
  },
);

test("by default run() stops git's credential cache daemon before it resolves", { skip: skipGit }, async () => {
  const home = gitHome();
  try {
    const before = nursery.stats();
    const r = await nursery.run('git', ['-c', helper(home.sock, ' --timeout 300'), 'credential', 'approve'], {
      input: CREDENTIAL,
      env: home.env,
    });
    assert.equal(r.code, 0, r.stderr);
    // run() waits for the tree stop: no polling needed, the daemon is gone already.
    assert.deepEqual(daemons(home.sock), [], 'no daemon serves the socket when run() resolves');
    assert.equal(
      nursery.stats().leftoversStopped,
      before.leftoversStopped + 1,
      'one leftover, the daemon, was stopped',
    );
    assert.equal(existsSync(home.sock), false, 'SIGTERM let it remove its socket');
    const fill = await nursery.run('git', ['-c', helper(home.sock), 'credential', 'fill'], {
      input: QUERY,
      env: home.env,
    });
    assert.doesNotMatch(fill.stdout, /password=/, 'nothing answers on the socket');
  } finally {
    await cleanUp(home);
  }
});

test('killLeftovers: false leaves what a plain shell started in the background running', async () => {
  // The sleep holds run()'s stdout and stderr: run() resolves after its 200 ms drain.
  const r = await nursery.run('sh', ['-c', 'sleep 300 & echo $!'], { killLeftovers: false });
  assert.equal(r.code, 0);
  const pid = Number(r.stdout.trim());
  assert.ok(pid > 0);
  // sh may have exited before its fork had exec'd sleep.
  await waitFor(() => !alive(pid) || stat(pid)?.comm === 'sleep', 5000, `pid ${pid} to run sleep`);
  const s = stat(pid);
  assert.ok(s && alive(pid), 'the sleep still runs');
  assert.equal(s.comm, 'sleep');
  assert.equal(s.ppid, process.pid, 'adopted by this process, the subreaper');
  await stopChecked(pid, s.startTime);
  assert.equal(alive(pid), false);
});

test('by default what a plain shell started in the background is gone when run() resolves', async () => {
  const r = await nursery.run('sh', ['-c', 'sleep 300 & echo $!']);
  assert.equal(r.code, 0);
  const pid = Number(r.stdout.trim());
  assert.ok(pid > 0);
  assert.equal(alive(pid), false);
});

test("killLeftovers: 'yes' is a NurseryOptionError, and nothing is started", async () => {
  const spawned = nursery.stats().spawned;
  await assert.rejects(
    nursery.run('sh', ['-c', 'exit 0'], { killLeftovers: 'yes' as unknown as boolean }),
    (error: unknown) => {
      assert.ok(error instanceof NurseryOptionError);
      assert.equal(error.code, 'ERR_NURSERY_INVALID_OPTION');
      assert.equal(error.option, 'killLeftovers');
      return true;
    },
  );
  assert.equal(nursery.stats().spawned, spawned);
});

test('the test file leaves no child or zombie behind', async () => {
  await nursery.close();
  await assertNoLeftovers();
});
