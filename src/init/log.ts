// The init's log: one line per event on stderr, `nursery init: ...`. At the normal level only what
// needs a look (a warning, a SIGKILL, a failed start); --verbose adds every event, --quiet keeps
// only fatal errors.
import type { LogLevel } from './args.js';

export interface InitLog {
  /** Something went wrong and the init cannot go on as asked. Printed at every level. */
  fatal(message: string): void;
  /** Worth a look: printed unless --quiet. */
  warn(message: string): void;
  /** An ordinary event: printed with --verbose only. */
  event(message: string): void;
  readonly verbose: boolean;
}

export function initLog(level: LogLevel, write: (line: string) => void = defaultWrite): InitLog {
  const line = (message: string): void => write(`nursery init: ${message}\n`);
  return {
    fatal: line,
    warn: level === 'quiet' ? () => undefined : line,
    event: level === 'verbose' ? line : () => undefined,
    verbose: level === 'verbose',
  };
}

function defaultWrite(line: string): void {
  try {
    process.stderr.write(line);
  } catch {
    // stderr closed: the init goes on without its log
  }
}
