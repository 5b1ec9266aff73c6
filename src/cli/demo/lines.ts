import type { Readable } from 'node:stream';

/** Reads `count` numeric lines (PIDs that a shell echoed) from a stream. */
export function readLines(stream: Readable | null, count: number): Promise<number[]> {
  return new Promise((resolve) => {
    const out: number[] = [];
    let buf = '';
    if (!stream) return resolve(out);
    const onData = (chunk: Buffer): void => {
      buf += chunk.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0 && out.length < count) {
        const n = Number(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        if (n > 0) out.push(n);
      }
      if (out.length >= count) {
        stream.off('data', onData);
        resolve(out);
      }
    };
    stream.on('data', onData);
    stream.once('end', () => resolve(out));
  });
}

// A shell prints $! right after fork, before the background `setsid` has run: wait until the
// process really leads its own session, so the scenario is what it claims to be.
export async function untilSessionLeader(pid: number, readSession: (pid: number) => number | undefined): Promise<void> {
  for (let i = 0; i < 200 && readSession(pid) !== pid; i++) await new Promise((r) => setTimeout(r, 5));
}
