// How nursery reads /proc (src/os/proc.ts and proc-host.ts parse what it reads): one open, one
// read, one close into a reused buffer; a read that fails because the process is gone (ENOENT,
// ESRCH) says "gone", and any other failure (out of file descriptors, ENOMEM) is counted
// (unreadableCount()), so that a caller can tell an empty answer from a blind one. Out of
// descriptors, a read first gives back a spare one kept for the purpose (keepSpareFd(), libuv's
// trick for accept()).
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';

const small = Buffer.allocUnsafe(4096);

// A /proc file, read with one open, one read (more only for a file that fills the buffer) and one
// close into a reused buffer: half the cost of readFileSync, which the debug endpoint pays for every
// process it shows. The kernel fills a read as far as the text goes, so a short read is the end.
function readSmall(path: string): string {
  const fd = openSync(path, 'r');
  try {
    let n = readSync(fd, small, 0, small.length, null);
    let text = small.toString('latin1', 0, n);
    while (n === small.length) {
      n = readSync(fd, small, 0, small.length, null);
      text += small.toString('latin1', 0, n);
    }
    return text;
  } finally {
    closeSync(fd);
  }
}

let spare = -1;
let unreadable = 0;

/** Holds one descriptor (on /dev/null) in reserve, for /proc reads when the host runs out. Idempotent. */
export function keepSpareFd(): void {
  // NURSERY_NO_SPARE_FD=1: none, to see (or test) how a stop fares when /proc cannot be read.
  if (spare >= 0 || process.platform !== 'linux' || process.env.NURSERY_NO_SPARE_FD === '1') return;
  try {
    spare = openSync('/dev/null', 'r');
  } catch {
    spare = -1; // out of descriptors already: the next read that succeeds is not helped
  }
}

/** How many /proc reads so far failed for a reason other than the process being gone. */
export function unreadableCount(): number {
  return unreadable;
}

/** Counts a read that failed for a reason other than the process being gone. */
export function markUnreadable(): void {
  unreadable++;
}

export const codeOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | null)?.code;
const outOfFds = (error: unknown): boolean => codeOf(error) === 'EMFILE' || codeOf(error) === 'ENFILE';
const goneCodes = new Set(['ENOENT', 'ESRCH']);

// Runs one read; out of descriptors, gives the spare back for a second try, then takes it again.
export function withFd<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!outOfFds(error) || spare < 0) throw error;
    closeSync(spare);
    spare = -1;
    try {
      return read();
    } finally {
      keepSpareFd();
    }
  }
}

/** A /proc file's text, '' when the process is gone; throws (counted) when it cannot be read. */
export function readProc(
  path: string,
  encoding: BufferEncoding,
  ok: (code: string | undefined) => boolean,
): string | null {
  try {
    return withFd(() => (encoding === 'latin1' ? readSmall(path) : readFileSync(path, encoding)));
  } catch (error) {
    if (!ok(codeOf(error))) unreadable++;
    return null;
  }
}

export const isGone = (code: string | undefined): boolean => code !== undefined && goneCodes.has(code);
