// run()'s options: a subset of the spawn spec (same names, same checks) plus what run() adds.
import { invalidOption } from '../errors.js';
import { checkAmount, checkKeys, checkObject, checkOneOf } from './check.js';
import type { SpawnSpec } from './spawn.js';

const FROM_SPAWN = [
  'owner',
  'cwd',
  'env',
  'extendEnv',
  'killSignal',
  'graceMs',
  'timeoutMs',
  'signal',
  'killLeftovers',
  'dieWithParent',
  'containment',
] as const satisfies readonly (keyof SpawnSpec)[];

/** Options of `nursery.run()`: these of the spawn spec, plus input, maxBuffer and encoding. */
export interface RunOptions extends Pick<SpawnSpec, (typeof FROM_SPAWN)[number]> {
  /** Written to stdin, which is then closed. Without it stdin is /dev/null. */
  input?: string | Uint8Array;
  /** Largest stdout (and, separately, stderr) kept, in bytes. Default 64 MiB. */
  maxBuffer?: number;
  /** 'utf8' (default): stdout and stderr are strings. 'buffer': Buffers, byte for byte. */
  encoding?: 'utf8' | 'buffer';
  /**
   * When the command exits by itself, stop what it left running in its process group (and the
   * rest of its tree with it). Default true: a finished command owns what it started. false lets a
   * daemon it started live on (git's credential cache, ssh-agent, gpg-agent, a build server):
   * run() resolves once the command has exited and its pipes are closed, or 200 ms later if a
   * leftover still holds them (what it writes there after that is not captured, and it may get
   * EPIPE). Timeout, abort and maxBuffer overflow while the command runs still stop the whole
   * tree, leftovers included. With `subreaper: true` the daemon is adopted by this process once
   * its parent exits, and the nursery's orphans policy decides about it ('keep', the default,
   * leaves it alone; 'kill' stops it).
   */
  killLeftovers?: boolean;
}

export interface ResolvedRun {
  /** Checked again, with everything else, by the spawn spec's own resolution. */
  spec: Omit<SpawnSpec, 'command'>;
  input: string | Uint8Array | undefined;
  maxBuffer: number;
  encoding: 'utf8' | 'buffer';
}

export const DEFAULT_MAX_BUFFER = 64 * 1024 * 1024;
const RUN_KEYS = new Set<string>([...FROM_SPAWN, 'input', 'maxBuffer', 'encoding']);

/** @throws NurseryOptionError */
export function resolveRunOptions(options: unknown): ResolvedRun {
  checkObject(options, 'options');
  checkKeys(options, RUN_KEYS, 'run');
  const { input, maxBuffer, encoding, ...rest } = options as RunOptions;
  if (input !== undefined && typeof input !== 'string' && !(input instanceof Uint8Array)) {
    throw invalidOption('input', 'a string or a Uint8Array', input);
  }
  return {
    // stdin is /dev/null unless there is input; killLeftovers stays the caller's (default true).
    spec: { ...rest, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] },
    input,
    maxBuffer: checkAmount(maxBuffer, 'maxBuffer', DEFAULT_MAX_BUFFER, 'bytes'),
    encoding: checkOneOf(encoding, 'encoding', ['utf8', 'buffer'], 'utf8'),
  };
}
