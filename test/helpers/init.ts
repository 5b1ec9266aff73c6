// Running `nursery init` for real: through bin/nursery (as a user would), either as PID 1 of a new
// PID namespace (unshare --pid --fork --mount-proc) or as a plain subreaper child of the test.
/* eslint-disable nursery/no-raw-child-process -- the init under test is started directly */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { childrenOf, waitFor } from './proc.js';

export const NURSERY_BIN = fileURLToPath(new URL('../../../bin/nursery', import.meta.url));

export interface InitRun {
  child: ChildProcess;
  /** Every stdout line so far. */
  out: string[];
  /** All of stderr so far. */
  err(): string;
  /** Resolves with the line once stdout has one matching `re`. */
  line(re: RegExp, timeoutMs?: number): Promise<string>;
  /** The init's own PID on the host (the child of unshare in a namespace). */
  initPid(): Promise<number>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILLs whatever is left of the run (the namespace dies with its PID 1). */
  kill(): Promise<void>;
}

export interface StartOptions {
  pidns: boolean;
  env?: NodeJS.ProcessEnv;
  /** A shell line run around the command: `sh -c "<wrap> exec nursery init ..."`. */
  wrap?: string;
}

export function startInit(initArgs: string[], command: string[], opts: StartOptions): InitRun {
  const argv = ['init', ...initArgs, '--', ...command];
  const [file, args] = opts.pidns
    ? ['unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', NURSERY_BIN, ...argv]]
    : [NURSERY_BIN, argv];
  const child = opts.wrap
    ? spawn('sh', ['-c', `${opts.wrap} exec "$@"`, 'sh', file, ...args], { env: opts.env ?? process.env })
    : spawn(file, args, { env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  let err = '';
  let partial = '';
  const waiters: (() => void)[] = [];
  child.stdout?.on('data', (chunk: Buffer) => {
    partial += chunk.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    out.push(...lines);
    for (const w of waiters.splice(0)) w();
  });
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exit = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  const run: InitRun = {
    child,
    out,
    err: () => err,
    async line(re, timeoutMs = 30_000) {
      await waitFor(() => out.some((l) => re.test(l)), timeoutMs, `a line matching ${re} (got ${JSON.stringify(out)})`);
      return out.find((l) => re.test(l)) as string;
    },
    async initPid() {
      const pid = child.pid as number;
      if (!opts.pidns) return pid;
      let found = 0;
      await waitFor(() => (found = childrenOf(pid)[0] ?? 0) > 0, 30_000, 'unshare to start the init');
      return found;
    },
    exit,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exit;
      }
    },
  };
  return run;
}
