import { fileURLToPath } from 'node:url';
import type { Readable } from 'node:stream';

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const TREE = `${FIXTURES}tree.js`;

export interface TreePids {
  pid: number;
  group: number[];
  setsid: number[];
}

/** Reads the first JSON line a fixture prints. */
export function readJsonLine<T>(stream: Readable | null): Promise<T> {
  return new Promise((resolve, reject) => {
    if (!stream) return reject(new Error('no stdout'));
    let buf = '';
    const onData = (chunk: Buffer): void => {
      buf += chunk.toString();
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      stream.off('data', onData);
      try {
        resolve(JSON.parse(buf.slice(0, nl)) as T);
      } catch (e) {
        reject(e as Error);
      }
    };
    stream.on('data', onData);
    stream.once('end', () => reject(new Error(`stream ended before a JSON line: ${buf}`)));
  });
}
