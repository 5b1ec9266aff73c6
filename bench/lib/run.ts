// Running a command to its end from a benchmark: argv in, exit code, output and wall time out,
// with a hard bound (SIGKILL to what was started, so nothing outlives a stuck run). The init
// benches start inits with it; an init as PID 1 takes its whole namespace down with it.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

export interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time from the spawn call to the 'exit' event. */
  ms: number;
  timedOut: boolean;
}

export interface RunOptions {
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Output is not kept (stdio ignored): the cheapest run, for startup timing. */
  quiet?: boolean;
  /** Called once the process exists, with its PID. */
  started?: (pid: number) => void;
}

export function run(argv: readonly string[], opts: RunOptions = {}): Promise<Ran> {
  const [file, ...args] = argv;
  if (file === undefined) return Promise.reject(new Error('run: empty argv'));
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const cp = spawn(file, args, {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      stdio: opts.quiet ? 'ignore' : ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    cp.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    cp.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      cp.kill('SIGKILL');
    }, opts.timeoutMs ?? 60_000);
    cp.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    if (cp.pid !== undefined) opts.started?.(cp.pid);
    cp.once('exit', (code, signal) => {
      const ms = performance.now() - t0;
      clearTimeout(timer);
      // The output may still be in flight: wait for the streams to end (bounded by the timer above).
      const done = (): void => resolve({ code, signal, stdout, stderr, ms, timedOut });
      if (opts.quiet) done();
      else cp.once('close', done);
    });
  });
}

/** A temporary directory under os.tmpdir() with the bench prefix, and its removal. */
export function tempDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'nursery-bench-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
