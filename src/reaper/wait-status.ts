// Decodes a raw wait(2) status the way the W* macros of <sys/wait.h> do on Linux.
import { signalName } from '../os/signals.js';

export interface DecodedStatus {
  code: number | null;
  signal: string | null;
}

export function decodeWaitStatus(status: number): DecodedStatus {
  const low = status & 0x7f;
  if (low === 0) return { code: (status >> 8) & 0xff, signal: null };
  return { code: null, signal: signalName(low) };
}

export function describeStatus(s: DecodedStatus): string {
  return s.signal === null ? `exit ${s.code}` : `signal ${s.signal}`;
}
