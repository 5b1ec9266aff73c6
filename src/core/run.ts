// run(): a short command, start to finish. Output is captured up to maxBuffer; on timeout or
// abort the whole tree is stopped; and helpers that outlive the command (seed 001: git's
// transport helpers after a timed-out tool) are stopped with it, so none is left behind, unless
// the caller says the command starts a daemon that is meant to stay (killLeftovers: false).
import { finished } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { NurseryError } from '../errors.js';
import type { Handle } from './handle.js';
import type { SpawnSpec } from '../spec.js';
import { checkKeys, checkObject } from '../spec.js';
import { invalidOption as invalidOptionFor } from '../errors.js';

export interface RunOptions {
  timeoutMs?: number;
  /** Written to stdin, which is then closed. Without it stdin is /dev/null. */
  input?: string | Uint8Array;
  signal?: AbortSignal;
  owner?: string;
  /** Largest stdout (and, separately, stderr) kept, in bytes. Default 64 MiB. */
  maxBuffer?: number;
  /** 'utf8' (default): stdout and stderr are strings. 'buffer': Buffers, byte for byte. */
  encoding?: 'utf8' | 'buffer';
  cwd?: string;
  env?: Readonly<Record<string, string | undefined>>;
  extendEnv?: boolean;
  killSignal?: NodeJS.Signals | number;
  graceMs?: number;
  /**
   * When the command exits by itself, stop what it left running in its process group (and the
   * rest of its tree with it). Default true: a finished command owns what it started. false lets a
   * daemon it started live on (git's credential cache, ssh-agent, gpg-agent, a build server):
   * run() resolves once the command has exited and its pipes are closed, or 200 ms later if a
   * leftover still holds them (what it writes there after that is not captured, and it may get
   * EPIPE). Timeout, abort and maxBuffer overflow while the command runs still stop the whole
   * tree, leftovers included. With `subreaper: true` the daemon is adopted by this process once
   * its parent exits, and the nursery's orphans policy decides about it ('keep', the default,
   * leaves it alone; 'kill' stops it).
   */
  killLeftovers?: boolean;
}

export interface RunResult<Output extends string | Buffer = string> {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Output;
  stderr: Output;
  durationMs: number;
  timedOut: boolean;
  aborted: boolean;
}

export const DEFAULT_MAX_BUFFER = 64 * 1024 * 1024;
const RUN_KEYS = new Set([
  'timeoutMs',
  'input',
  'signal',
  'owner',
  'maxBuffer',
  'encoding',
  'cwd',
  'env',
  'extendEnv',
  'killSignal',
  'graceMs',
  'killLeftovers',
]);
// After the tree is gone its pipes close at once, unless a process we could not see holds them.
const DRAIN_MS = 200;

class Collector {
  readonly chunks: Buffer[] = [];
  size = 0;
  constructor(
    readonly limit: number,
    readonly onOverflow: () => void,
  ) {}
  attach(stream: Readable | null): void {
    stream?.on('data', (chunk: Buffer) => {
      if (this.size + chunk.length > this.limit) {
        const room = this.limit - this.size;
        if (room > 0) this.chunks.push(chunk.subarray(0, room));
        this.size = this.limit + 1;
        this.onOverflow();
        return;
      }
      if (this.size > this.limit) return;
      this.chunks.push(chunk);
      this.size += chunk.length;
    });
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

async function drain(stream: Readable | null): Promise<void> {
  if (!stream) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, DRAIN_MS);
  });
  await Promise.race([finished(stream).catch(() => undefined), timeout]);
  clearTimeout(timer);
  stream.destroy();
}

export interface ResolvedRun {
  spec: Omit<SpawnSpec, 'command'>;
  input: string | Uint8Array | undefined;
  maxBuffer: number;
  encoding: 'utf8' | 'buffer';
}

export function resolveRunOptions(options: unknown): ResolvedRun {
  checkObject(options, 'options');
  checkKeys(options, RUN_KEYS, 'run');
  const { input, maxBuffer = DEFAULT_MAX_BUFFER, encoding = 'utf8', ...rest } = options as RunOptions;
  if (encoding !== 'utf8' && encoding !== 'buffer') throw invalidOptionFor('encoding', '"utf8" or "buffer"', encoding);
  if (input !== undefined && typeof input !== 'string' && !(input instanceof Uint8Array))
    throw invalidOptionFor('input', 'a string or a Uint8Array', input);
  if (typeof maxBuffer !== 'number' || !Number.isFinite(maxBuffer) || maxBuffer < 0) {
    throw invalidOptionFor('maxBuffer', 'a finite number of bytes >= 0', maxBuffer);
  }
  return {
    // The caller's killLeftovers wins over run()'s default; resolveSpec checks it as spawn()'s.
    spec: { killLeftovers: true, ...rest, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] },
    input,
    maxBuffer,
    encoding,
  };
}

export async function runHandle(
  handle: Handle,
  { input, maxBuffer, encoding }: ResolvedRun,
): Promise<RunResult<string | Buffer>> {
  let overflowed: 'stdout' | 'stderr' | null = null;
  const overflow = (which: 'stdout' | 'stderr') => () => {
    if (overflowed) return;
    overflowed = which;
    void handle.stop();
  };
  const out = new Collector(maxBuffer, overflow('stdout'));
  const err = new Collector(maxBuffer, overflow('stderr'));
  out.attach(handle.stdout);
  err.attach(handle.stderr);
  // A command may exit without reading its input: the spawn module drops that EPIPE.
  handle.stdin?.end(input);
  const info = await handle.exited;
  await Promise.all([drain(handle.stdout), drain(handle.stderr)]);
  const decode = (c: Collector): string | Buffer => (encoding === 'buffer' ? c.bytes() : c.bytes().toString('utf8'));
  const result: RunResult<string | Buffer> = {
    code: info.code,
    signal: info.signal,
    stdout: decode(out),
    stderr: decode(err),
    durationMs: info.durationMs,
    timedOut: info.timedOut,
    aborted: info.aborted,
  };
  if (overflowed) {
    throw Object.assign(
      new NurseryError(
        'ERR_NURSERY_MAX_BUFFER',
        `${handle.command}: ${overflowed} exceeded maxBuffer (${maxBuffer} bytes); the process tree was stopped`,
      ),
      { result },
    );
  }
  return result;
}
