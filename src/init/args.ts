// `nursery init [options] -- <command> [args...]`: the command line, checked in full before
// anything starts. A bad option is a usage error (exit 2) with one line saying what is wrong.

import { constants } from 'node:os';

export type LogLevel = 'quiet' | 'normal' | 'verbose';

export interface InitOptions {
  command: string;
  args: string[];
  /** How long the remaining processes get between SIGTERM and SIGKILL at shutdown. */
  graceMs: number;
  /** Forward signals to the child's whole process group instead of the child alone. */
  group: boolean;
  /** Exit-code remapping: the child's code (after 128 + n) to the init's. */
  remap: Map<number, number>;
  /** Stop live orphans adopted by the init after their grace, instead of waiting for them. */
  killOrphans: boolean;
  log: LogLevel;
  /** Serve /debug/processes on this unix socket (0600), for `nursery ps --socket`. */
  debugSocket: string | null;
  /** The signal the init gets when its own parent dies (prctl PR_SET_PDEATHSIG), or 0. */
  parentDeathSignal: number;
}

export class InitUsageError extends Error {
  override name = 'InitUsageError';
}

export const INIT_USAGE = `usage: nursery init [options] -- <command> [args...]

Runs <command> as the child of a PID 1 (or of a subreaper anywhere else): forwards signals to it,
reaps every zombie, and when it exits stops everything else before exiting with its code.

options:
  --grace-ms N       time remaining processes get between SIGTERM and SIGKILL (default 5000)
  -g, --group        forward signals to the command's whole process group
  -e, --remap-exit A:B
                     exit with B when the command's code is A (repeatable; 128+n for signal n)
  --kill-orphans     stop live orphans adopted by the init (SIGTERM, then SIGKILL after the grace)
  --debug-socket PATH
                     serve /debug/processes on a unix socket (0600) for \`nursery ps --socket PATH\`
  -p, --parent-death-signal SIG
                     have SIG sent to the init when its parent dies (e.g. TERM: stop all then)
  -q, --quiet        print nothing but fatal errors
  -v, --verbose      print every event (spawn, signal, reap, shutdown)
  -h, --help         this text
`;

function integer(flag: string, text: string | undefined, min: number, max: number): number {
  if (text === undefined) throw new InitUsageError(`${flag} needs a value`);
  if (!/^\d+$/.test(text)) throw new InitUsageError(`${flag} must be a whole number, got ${JSON.stringify(text)}`);
  const n = Number(text);
  if (n < min || n > max) throw new InitUsageError(`${flag} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function remapPair(text: string | undefined, into: Map<number, number>): void {
  const m = text === undefined ? null : /^(\d+):(\d+)$/.exec(text);
  if (!m) throw new InitUsageError(`--remap-exit needs FROM:TO (codes 0-255), got ${JSON.stringify(text ?? '')}`);
  const from = integer('--remap-exit', m[1], 0, 255);
  into.set(from, integer('--remap-exit', m[2], 0, 255));
}

function signalArg(text: string | undefined): number {
  const upper = (text ?? '').toUpperCase();
  const n = (constants.signals as Record<string, number>)[upper.startsWith('SIG') ? upper : `SIG${upper}`];
  if (n === undefined || n === constants.signals.SIGSTOP) {
    throw new InitUsageError(
      `--parent-death-signal needs a signal name such as TERM, got ${JSON.stringify(text ?? '')}`,
    );
  }
  return n;
}

/** Parses argv (after `init`); null when help was asked for. */
export function parseInitArgs(argv: string[]): InitOptions | null {
  const opts: Omit<InitOptions, 'command' | 'args'> = {
    graceMs: 5000,
    group: false,
    remap: new Map(),
    killOrphans: false,
    log: 'normal',
    debugSocket: null,
    parentDeathSignal: 0,
  };
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    const eq = arg.indexOf('=');
    const [flag, inline] = arg.startsWith('--') && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--grace-ms':
        opts.graceMs = integer('--grace-ms', value(), 0, 2 ** 31 - 1);
        break;
      case '-g':
      case '--group':
        opts.group = true;
        break;
      case '-e':
      case '--remap-exit':
        remapPair(value(), opts.remap);
        break;
      case '--kill-orphans':
        opts.killOrphans = true;
        break;
      case '--debug-socket': {
        const path = value();
        if (path === undefined || path === '') throw new InitUsageError('--debug-socket needs a path');
        opts.debugSocket = path;
        break;
      }
      case '-p':
      case '--parent-death-signal':
        opts.parentDeathSignal = signalArg(value());
        break;
      case '-q':
      case '--quiet':
        opts.log = 'quiet';
        break;
      case '-v':
      case '--verbose':
        opts.log = 'verbose';
        break;
      case '-h':
      case '--help':
        return null;
      default:
        throw new InitUsageError(`unknown option ${JSON.stringify(arg)}`);
    }
  }
  const [command, ...args] = argv.slice(i);
  if (command === undefined || command === '') throw new InitUsageError('no command given');
  return { ...opts, command, args };
}
