// run(): a short command, start to finish. Output is captured up to maxBuffer; on timeout or
// abort the whole tree is stopped. Helpers that outlive the command (git's transport helpers
// after a timed-out fetch, say) are stopped with it unless `killLeftovers: false` lets a
// command's daemon live (git's credential cache, ssh-agent).
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { MaxBufferError } from '../errors.js';
import type { ResolvedRun } from '../options/run.js';
import type { Handle } from './handle.js';
import type { RunResult } from '../types.js';

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
    stopped: info.stopped,
    timedOut: info.timedOut,
    aborted: info.aborted,
    unverified: info.unverified,
  };
  if (overflowed) {
    const why = `${handle.command}: ${overflowed} exceeded maxBuffer (${maxBuffer} bytes); the tree was stopped`;
    throw new MaxBufferError(why, result);
  }
  return result;
}
