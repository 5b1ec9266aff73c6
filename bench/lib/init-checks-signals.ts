// Conformance checks about signals, reaping and the end: forwarding to the command's traps (and
// its group), 500 orphans reaped, and what becomes of processes still running when the command
// exits. The command reports through files in $D, read while it runs. (tini: test/signals,
// test/pgroup, test/reaping; dumb-init: proxies_signals_test.py, child_processes_test.py.)
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type Check,
  type CheckEnv,
  OFFER,
  code,
  exists,
  fail,
  initPidOf,
  pass,
  readText,
  under,
  until,
} from './init-under.js';

// `wait` on a background sleep returns as soon as a trapped signal arrives.
const LOOP = 'while :; do sleep 1000 & wait $!; done';
// The same, for a script inside double quotes of another (`sh -c "..."`): `$!` is its own.
const INNER_LOOP = 'while :; do sleep 1000 & wait \\$!; done';

/** Starts `script` under the init, waits for $D/ready, and hands the init's host PID to `body`. */
async function withRunning(
  env: CheckEnv,
  script: string,
  body: (init: number) => Promise<string | null>,
  opts: readonly string[] = [],
): Promise<{ problem: string | null; exit: string }> {
  let unshare = 0;
  const done = under(env, ['sh', '-c', script], { opts, started: (pid) => (unshare = pid) });
  let problem: string | null = null;
  if (!(await until(() => exists(join(env.dir, 'ready')), 15_000))) problem = 'the command never got ready';
  else {
    const init = await initPidOf(unshare);
    problem = init > 0 ? await body(init) : 'no init process found';
  }
  // Whatever happened, the run ends: SIGKILL to unshare takes its PID 1 (--kill-child) and the namespace.
  const bound = setTimeout(() => unshare > 0 && process.kill(unshare, 'SIGKILL'), problem ? 0 : 10_000);
  const r = await done;
  clearTimeout(bound);
  return { problem, exit: code(r) };
}

async function forwarded(env: CheckEnv, init: number, sig: NodeJS.Signals, marker: string): Promise<boolean> {
  process.kill(init, sig);
  return until(() => readText(join(env.dir, 'log')).includes(marker), 3000);
}

export const signalChecks: Check[] = [
  {
    name: "SIGUSR1, SIGHUP, SIGTERM sent to the init reach the command's traps",
    async run(env) {
      const traps =
        `for s in USR1 HUP; do trap "echo got-$s >> $D/log" $s; done; ` +
        `trap 'echo got-TERM >> $D/log; exit 0' TERM;`;
      const missed: string[] = [];
      const r = await withRunning(env, `${traps} : > $D/ready; ${LOOP}`, async (init) => {
        for (const s of ['USR1', 'HUP', 'TERM'] as const)
          if (!(await forwarded(env, init, `SIG${s}`, `got-${s}`))) missed.push(s);
        return null;
      });
      if (r.problem) return fail(r.problem);
      return missed.length === 0 && r.exit === '0'
        ? pass()
        : fail(`not forwarded: ${missed.join(', ')}; exit ${r.exit}`);
    },
  },
  {
    name: 'SIGTERM to the init, command without a trap: the init exits 143',
    async run(env) {
      const r = await withRunning(env, `: > $D/ready; exec sleep 1000`, async (init) => {
        process.kill(init, 'SIGTERM');
        return null;
      });
      return r.problem ? fail(r.problem) : r.exit === '143' ? pass() : fail(`exit ${r.exit}`);
    },
  },
  {
    name: 'SIGTERM sent 20 ms after the init program starts (exec done) ends the command: exit 143 at once',
    async run(env) {
      let unshare = 0;
      const done = under(env, ['sleep', '3'], { started: (pid) => (unshare = pid) });
      const init = await initPidOf(unshare);
      // Not before unshare's forked child has exec'd the init: that window is unshare's, not the init's.
      const execd = (): boolean => !readText(`/proc/${init}/cmdline`).startsWith('unshare\0');
      // 20 ms: long after a C init's setup, within a node init's startup (a fixed delay, so not by chance).
      if (init > 0 && (await until(execd, 5000))) {
        await sleep(20);
        process.kill(init, 'SIGTERM');
      }
      const r = await done;
      const how = `exit ${code(r)} after ${r.ms.toFixed(0)} ms`;
      return r.code === 143 && r.ms < 2000 ? pass(`pass (${how})`) : fail(`lost: ${how}`);
    },
  },
  {
    name: "signals to the command's whole process group, on request",
    async run(env) {
      const opts = OFFER[env.init.name].group as string[];
      const inner = `trap \\"echo inner >> $D/log\\" USR1; : > $D/inner; ${INNER_LOOP}`;
      const script =
        `trap 'echo outer >> $D/log' USR1; trap 'exit 0' TERM; sh -c "${inner}" & ` +
        `while [ ! -e $D/inner ]; do sleep 0.05; done; : > $D/ready; ${LOOP}`;
      let got = false;
      const r = await withRunning(
        env,
        script,
        async (init) => {
          got = await forwarded(env, init, 'SIGUSR1', 'inner');
          process.kill(init, 'SIGTERM');
          return null;
        },
        opts,
      );
      const how = opts.length > 0 ? `\`${opts.join(' ')}\`` : 'by default (setsid mode)';
      return r.problem ? fail(r.problem) : got ? pass(`pass: ${how}`) : fail(`${how}: the group member got nothing`);
    },
  },
  {
    name: 'zombies reaped: 500 orphans exit while the command runs → 0 zombies left',
    async run(env) {
      const script =
        'i=0; while [ $i -lt 500 ]; do (sleep 0.2 &); i=$((i+1)); done; sleep 1.5; ' +
        "echo zombies=$(cat /proc/[0-9]*/stat 2>/dev/null | grep -c ') Z ')";
      const r = await under(env, ['sh', '-c', script], { timeoutMs: 60_000 });
      const z = /zombies=(\d+)/.exec(r.stdout)?.[1];
      return z === '0' ? pass() : fail(`${z ?? '?'} zombies (exit ${code(r)})`);
    },
  },
  {
    name: "command exits: a setsid'd escapee gets SIGTERM and finishes a 1 s flush before the init exits",
    async run(env) {
      const esc = `trap 'sleep 1; echo flushed > $D/flush; exit 0' TERM; : > $D/esc; ${INNER_LOOP}`;
      const script = `setsid sh -c "${esc}" & while [ ! -e $D/esc ]; do sleep 0.05; done; exit 0`;
      const r = await under(env, ['sh', '-c', script]);
      const flushed = readText(join(env.dir, 'flush')).trim() === 'flushed';
      return flushed
        ? pass(`pass (init exited after ${r.ms.toFixed(0)} ms)`)
        : fail(`no flush file: SIGKILLed at teardown`);
    },
  },
  {
    name: 'command exits: an orphan still running is stopped by SIGTERM (not only by the teardown SIGKILL)',
    async run(env) {
      const orphan = `trap 'echo term > $D/orphan; exit 0' TERM; : > $D/o; ${INNER_LOOP}`;
      const script = `sh -c "${orphan}" & while [ ! -e $D/o ]; do sleep 0.05; done; exit 0`;
      await under(env, ['sh', '-c', script]);
      return readText(join(env.dir, 'orphan')).trim() === 'term' ? pass() : fail('its TERM trap never ran');
    },
  },
  {
    name: 'shutdown takes ~0 s, not the grace, when nothing is left / one process left that ends on SIGTERM',
    async run(env) {
      const none = await under(env, ['true']);
      const one = await under(env, ['sh', '-c', 'sleep 1000 & exit 0']);
      const text = `${none.ms.toFixed(0)} ms / ${one.ms.toFixed(0)} ms`;
      return none.ms < 1000 && one.ms < 1000 ? pass(`pass (${text})`) : fail(text);
    },
  },
];
