// A service's output as lines: every line of stdout and stderr, in the order each stream wrote
// it, to the service's listeners, with the last `keepLast` kept for the exit event. `drained`
// settles at EOF of both streams, so the Service reports an exit only after its last line: a crash
// loses nothing that reached the pipe.
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { bufferedIterator } from './event-stream.js';
import type { LogLine } from './types.js';

type Stream = LogLine['stream'];

export class LineReader {
  readonly drained: Promise<void>;
  readonly #incarnation: number;
  readonly #keepLast: number;
  readonly #deliver: (line: LogLine) => void;
  #last: LogLine[] = [];

  /** `sources`: the pipes to read (null entries are not pipes), or a PTY's data subscription. */
  constructor(
    incarnation: number,
    keepLast: number,
    deliver: (line: LogLine) => void,
    sources: { stdout: Readable | null; stderr: Readable | null } | ((onData: (data: string) => void) => Promise<void>),
  ) {
    this.#incarnation = incarnation;
    this.#keepLast = keepLast;
    this.#deliver = deliver;
    if (typeof sources === 'function') {
      const split = this.#splitter('stdout');
      this.drained = sources((data) => split(data, false)).then(() => split('', true));
    } else {
      this.drained = Promise.all([this.#read(sources.stdout, 'stdout'), this.#read(sources.stderr, 'stderr')]).then(
        () => undefined,
      );
    }
  }

  /** The last keepLast lines (of both streams, in arrival order). */
  get last(): LogLine[] {
    return [...this.#last];
  }

  #read(stream: Readable | null, name: Stream): Promise<void> {
    if (stream === null) return Promise.resolve();
    const decoder = new StringDecoder('utf8');
    const split = this.#splitter(name);
    return new Promise((resolve) => {
      stream.on('data', (chunk: Buffer | string) =>
        split(typeof chunk === 'string' ? chunk : decoder.write(chunk), false),
      );
      // 'close' as well as 'end': a pipe destroyed on error never ends, and must not hold the exit.
      const done = (): void => {
        split(decoder.end(), true);
        resolve();
      };
      stream.once('end', done);
      stream.once('close', done);
      stream.once('error', () => undefined);
    });
  }

  #splitter(name: Stream): (text: string, eof: boolean) => void {
    let partial = '';
    let finished = false;
    return (text, eof) => {
      if (finished) return;
      partial += text;
      let nl: number;
      while ((nl = partial.indexOf('\n')) >= 0) {
        this.#line(name, partial.slice(0, nl));
        partial = partial.slice(nl + 1);
      }
      if (eof) {
        finished = true;
        if (partial.length > 0) this.#line(name, partial);
        partial = '';
      }
    };
  }

  #line(stream: Stream, text: string): void {
    // A terminal (PTY mode) ends its lines with CRLF.
    const line: LogLine = {
      stream,
      line: text.endsWith('\r') ? text.slice(0, -1) : text,
      incarnation: this.#incarnation,
    };
    if (this.#keepLast > 0) {
      this.#last.push(line);
      if (this.#last.length > this.#keepLast) this.#last.shift();
    }
    this.#deliver(line);
  }
}

/** Every incarnation's lines, to a service's line listeners and its lines() iterators. */
export class LineFanout {
  #listeners = new Set<(line: LogLine) => void>();

  add(listener: (line: LogLine) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  deliver(line: LogLine): void {
    for (const listener of this.#listeners) listener(line);
  }

  /** An iterator over the lines from now on, buffered until read; `untilEnd` calls its `end` when the service ends. */
  iterate(untilEnd: (end: () => void) => () => void): AsyncIterableIterator<LogLine> {
    return bufferedIterator<LogLine>((push, end) => {
      const offLines = this.add(push);
      const offEnd = untilEnd(end);
      return () => {
        offLines();
        offEnd();
      };
    });
  }
}
