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
