// A child under cgroup containment is in its cgroup before it runs its command's first
// instruction (the spawn wrapper moves itself in, then execs), so even a fork on that first
// instruction lands in the cgroup. Spawn errors stay the same typed errors as without
// containment, and a child's cgroup is removed when the child exits by itself (leftovers stopped,
// or, with killLeftovers: false, moved out first), or when its spawn fails.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nursery, isNurseryError } from '../../src/index.js';
import { alive, assertNoLeftovers, waitFor } from '../helpers/proc.js';
import { cgroupDirOf, cgroupSkip, killAndRemove, ourSubtrees, procsBelow } from '../helpers/cgroup.js';

const skip = cgroupSkip();
const nursery = new Nursery({ containment: 'cgroup', log: false });
const scratch = mkdtempSync(join(tmpdir(), `nursery-cg-${process.pid}-`));
after(async () => {
  await nursery.close({ signal: 'SIGKILL' });
  for (const dir of ourSubtrees()) await killAndRemove(dir);
  rmSync(scratch, { recursive: true, force: true });
});

const CHILD_CG = /^0::(.*\/nursery\.\d+\.\d+\.\d+\/c\d+)$/m;
const ownCgroup = (): string => /^0::(.*)$/m.exec(readFileSync('/proc/self/cgroup', 'utf8'))?.[1] ?? '?';
// No cgroup of this process's children left: the subtree is gone or has no child cgroup.
const noChildCgroups = (): boolean => ourSubtrees().every((d) => procsBelow(d).length === 0);

// main()'s first statement is fork(); child and parent each print their /proc/self/cgroup.
const FORK_FIRST = `#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
static void show(const char *who) {
  char b[4096]; int fd = open("/proc/self/cgroup", O_RDONLY); int n = read(fd, b, sizeof b); close(fd);
  write(1, who, 2); if (n > 0) write(1, b, n);
}
int main(void) {
  pid_t p = fork();
  if (p == 0) { show("C\\n"); _exit(0); }
  waitpid(p, 0, 0); show("P\\n"); return 0;
}
`;

function compile(): string | null {
  const src = join(scratch, 'fork-first.c');
  const bin = join(scratch, 'fork-first');
  writeFileSync(src, FORK_FIRST);
  try {
    execFileSync('cc', ['-O0', '-o', bin, src], { stdio: 'ignore' });
    return bin;
  } catch {
    return null;
  }
}

test('a child that forks on its first instruction: it and its first child are in its cgroup', { skip }, async (t) => {
  const bin = compile();
  if (bin === null) return t.skip('no C compiler (cc) to build the fork-first child');
  const r = await nursery.run(bin);
  assert.equal(r.code, 0, r.stderr);
  const [, child = '', parent = ''] = r.stdout.split(/^[CP]\n/m);
  const inChild = CHILD_CG.exec(child)?.[1];
  assert.ok(inChild, `the first fork's child is in a nursery child cgroup: ${child}`);
  assert.equal(CHILD_CG.exec(parent)?.[1], inChild, 'the command itself is in the same cgroup');
  assert.notEqual(inChild, ownCgroup());
  await waitFor(noChildCgroups, 10_000, 'the cgroup to be removed');
});

test('a shell command and a forked Node module (IPC through the wrapper) run in their cgroups', { skip }, async () => {
  const r = await nursery.run('sh', ['-c', 'cat /proc/self/cgroup']);
  assert.match(r.stdout, CHILD_CG);
  const mod = join(scratch, 'ipc.mjs');
  writeFileSync(
    mod,
    "import { readFileSync } from 'node:fs';\n" +
      "const cg = () => readFileSync('/proc/self/cgroup', 'utf8');\n" +
      "process.on('message', (m) => process.send({ m, cg: cg() }, () => process.exit(0)));\n",
  );
  const h = nursery.fork(mod);
  const reply = new Promise<{ m: string; cg: string }>((resolve) => h.onMessage((v) => resolve(v as never)));
  await h.send('ping');
  const got = await reply;
  assert.equal(got.m, 'ping');
  assert.match(got.cg, CHILD_CG);
  assert.equal((await h.exited).code, 0);
});

test('spawn errors are the same typed errors as without containment, and leave no cgroup', { skip }, () => {
  const plain = new Nursery({ log: false });
  const notExec = join(scratch, 'not-executable');
  writeFileSync(notExec, '#!/bin/sh\n');
  chmodSync(notExec, 0o644);
  const cases = [
    { command: `no-such-command-${process.pid}` },
    { command: notExec },
    { command: 'true', cwd: join(scratch, 'no-such-dir') },
  ];
  for (const spec of cases) {
    const codeOf = (n: Nursery): unknown => {
      try {
        n.spawn(spec);
      } catch (error) {
        assert.ok(isNurseryError(error));
        return (error as { code: string }).code;
      }
      return 'no error';
    };
    const withCgroup = codeOf(nursery);
    assert.equal(withCgroup, codeOf(plain), JSON.stringify(spec));
    assert.notEqual(withCgroup, 'no error');
  }
  void plain.close();
  assert.ok(noChildCgroups());
  assert.deepEqual(ourSubtrees(), [], 'the subtree goes with its last child cgroup');
});

test('a child exiting by itself: its cgroup is removed, with what it left stopped', { skip }, async () => {
  const r = await nursery.run('sh', ['-c', 'setsid sleep 1000 & echo $!']);
  const leftover = Number(r.stdout.trim());
  assert.equal(r.code, 0);
  assert.equal(alive(leftover), false, 'the setsid leftover is stopped with the cgroup');
  assert.deepEqual(ourSubtrees(), []);
});

test(
  'killLeftovers: false: the leftover lives on, moved back to our cgroup, and its cgroup is removed',
  { skip },
  async () => {
    const h = nursery.spawn({
      command: 'sh',
      args: ['-c', 'setsid sleep 1000 & echo $!'],
      killLeftovers: false,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    h.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    await h.exited;
    await waitFor(() => out.includes('\n'), 10_000, 'the leftover pid');
    const leftover = Number(out.trim());
    try {
      assert.ok(alive(leftover));
      assert.equal(/^0::(.*)$/m.exec(readFileSync(`/proc/${leftover}/cgroup`, 'utf8'))?.[1], ownCgroup());
      assert.deepEqual(ourSubtrees(), []);
    } finally {
      process.kill(leftover, 'SIGKILL');
    }
  },
);

test("'auto' where cgroups work: the child gets its cgroup, and nothing is said", { skip }, async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error): void => void warnings.push(w.message);
  process.on('warning', onWarning);
  const auto = new Nursery({ containment: 'auto', log: false });
  try {
    const r = await auto.run('cat', ['/proc/self/cgroup']);
    assert.match(r.stdout, CHILD_CG);
    // A spec may ask for process groups alone.
    const g = await auto.run('cat', ['/proc/self/cgroup'], { containment: 'group' });
    assert.equal(/^0::(.*)$/m.exec(g.stdout)?.[1], ownCgroup());
  } finally {
    await auto.close();
    await new Promise((r) => setImmediate(r));
    process.off('warning', onWarning);
  }
  assert.deepEqual(warnings, []);
});

test('daemons leave containment: a daemon of a cgroup Nursery runs in our own cgroup', { skip }, async () => {
  const registryDir = join(scratch, 'registry');
  const n = new Nursery({ containment: 'cgroup', log: false, registryDir });
  try {
    const d = await n.spawn({ mode: 'daemon', command: 'sleep', args: ['1000'] });
    try {
      assert.equal(/^0::(.*)$/m.exec(readFileSync(`/proc/${d.pid}/cgroup`, 'utf8'))?.[1], ownCgroup());
    } finally {
      await d.stop({ graceMs: 5000 });
    }
  } finally {
    await n.close();
  }
});

test("list(): a cgroup child's CPU time from cpu.stat, its memory where v2 has the controller", { skip }, async () => {
  const busy = nursery.spawn({ command: 'sh', args: ['-c', 'while :; do :; done'], stdio: 'ignore' });
  try {
    const entry = (): ReturnType<typeof nursery.list>[number] | undefined =>
      nursery.list().find((c) => c.pid === busy.pid);
    assert.equal(entry()?.containment, 'cgroup');
    await waitFor(() => (entry()?.cpuUsec ?? 0) > 0, 30_000, 'CPU time to show in list()');
    const cgroupDir = cgroupDirOf(/^0::(.*)$/m.exec(readFileSync(`/proc/${busy.pid}/cgroup`, 'utf8'))?.[1] ?? '');
    const hasMemory = existsSync(`${cgroupDir}/memory.current`);
    const memory = entry()?.memoryBytes ?? null;
    const has = hasMemory ? 'present' : 'absent';
    console.log(`# list(): cpuUsec ${entry()?.cpuUsec}, memoryBytes ${memory} (memory.current ${has})`);
    if (hasMemory) assert.ok(typeof memory === 'number' && memory > 0);
    else assert.equal(memory, null);
  } finally {
    await busy.stop();
  }
});

test('options: containment is checked; PTY mode takes none', () => {
  assert.throws(() => new Nursery({ containment: 'cgroups' as never }), { code: 'ERR_NURSERY_INVALID_OPTION' });
  assert.throws(() => nursery.spawn({ command: 'true', containment: 1 as never }), {
    code: 'ERR_NURSERY_INVALID_OPTION',
  });
  assert.throws(() => nursery.spawn({ mode: 'pty', command: 'true', containment: 'cgroup' } as never), {
    code: 'ERR_NURSERY_INVALID_OPTION',
  });
});

test('no leftovers', async () => {
  await assertNoLeftovers();
});
