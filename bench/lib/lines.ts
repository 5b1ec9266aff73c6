// Fixtures report PIDs one per line and end with a marker line; this reads up to it.
import type { Readable } from 'node:stream';

export function readUntil(stream: Readable, marker: string, timeoutMs = 10_000): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const lines: string[] = [];
    const done = (error?: Error): void => {
      clearTimeout(timer);
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      // Keep draining so the writer never blocks on a full pipe.
      stream.resume();
      if (error) reject(error);
      else resolve(lines);
    };
    const onData = (chunk: Buffer | string): void => {
      buffer += chunk.toString();
      let at: number;
      while ((at = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, at).trim();
        buffer = buffer.slice(at + 1);
        if (line === marker) return done();
        if (line) lines.push(line);
      }
    };
    const onEnd = (): void => done(new Error(`stream ended before "${marker}" (got ${lines.length} lines)`));
    const timer = setTimeout(
      () => done(new Error(`no "${marker}" within ${timeoutMs} ms (got ${lines.length} lines)`)),
      timeoutMs,
    );
    stream.on('data', onData);
    stream.on('end', onEnd);
  });
}

export function pidsOf(lines: readonly string[]): number[] {
  return lines.map(Number).filter((n) => Number.isInteger(n) && n > 0);
}
