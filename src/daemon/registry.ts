// The daemon registry: one JSON file per daemon in a private directory (0700, files 0600), so a
// later process can find, attach to and stop daemons that outlived the one that started them.
// Writes are atomic (a temporary file, then rename): a crash of any process leaves the old entry
// or the new one, never half of one. There is no fsync: what a power loss could cost is entries of
// a boot whose daemons are gone anyway, and entries carry the boot ID, so those are pruned.
// A file that is not a valid entry is skipped with a warning, not thrown:
// one bad file must not hide every daemon.
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { NurseryError } from '../errors.js';
import { warnOnce } from '../warnings.js';
import { type DaemonEntry, parseEntry } from './entry.js';

const SUFFIX = '.json';
const ID = /^d-[0-9a-f]{12}$/;

/** $XDG_RUNTIME_DIR/nursery/daemons, else $XDG_STATE_HOME (or ~/.local/state)/nursery/daemons. */
export function defaultRegistryDir(): string {
  const runtime = process.env.XDG_RUNTIME_DIR;
  if (runtime) return join(runtime, 'nursery', 'daemons');
  const state = process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(state, 'nursery', 'daemons');
}

export function newDaemonId(): string {
  return `d-${randomBytes(6).toString('hex')}`;
}

function refused(dir: string, why: string, cause?: unknown): NurseryError {
  const message = `The daemon registry ${JSON.stringify(dir)} cannot be used: ${why}`;
  return new NurseryError('ERR_NURSERY_REGISTRY', message, { path: dir, cause });
}

export class Registry {
  readonly dir: string;
  #checked = false;

  constructor(dir: string) {
    this.dir = dir;
  }

  /**
   * Creates the directory (0700) if missing, and refuses one that another user could have
   * planted or can read: a symlink, not a directory, owned by someone else, or open to others.
   * @throws NurseryError ERR_NURSERY_REGISTRY
   */
  check(): void {
    if (this.#checked) return;
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw refused(this.dir, `it cannot be created (${(error as NodeJS.ErrnoException).code})`, error);
    }
    const st = lstatSync(this.dir);
    if (st.isSymbolicLink()) throw refused(this.dir, 'it is a symbolic link');
    if (!st.isDirectory()) throw refused(this.dir, 'it is not a directory');
    const uid = process.getuid?.();
    if (uid !== undefined && st.uid !== uid) throw refused(this.dir, `it is owned by uid ${st.uid}, not ${uid}`);
    if ((st.mode & 0o077) !== 0) {
      throw refused(this.dir, `its mode is ${(st.mode & 0o777).toString(8)}, not 700 (chmod 700 it)`);
    }
    this.#checked = true;
  }

  /** Writes (or replaces) one entry atomically. @throws NurseryError ERR_NURSERY_REGISTRY */
  write(entry: DaemonEntry): void {
    this.check();
    const tmp = join(this.dir, `.${entry.id}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    let fd = -1;
    try {
      fd = openSync(tmp, 'wx', 0o600);
      writeSync(fd, `${JSON.stringify(entry, null, 2)}\n`);
      closeSync(fd);
      fd = -1;
      renameSync(tmp, join(this.dir, `${entry.id}${SUFFIX}`));
    } catch (error) {
      if (fd >= 0) closeSync(fd);
      try {
        unlinkSync(tmp);
      } catch {
        // never created, or already renamed
      }
      throw refused(this.dir, `writing an entry failed (${(error as NodeJS.ErrnoException).code})`, error);
    }
  }

  remove(id: string): void {
    try {
      unlinkSync(join(this.dir, `${id}${SUFFIX}`));
    } catch {
      // already gone: removed by another process that found it dead
    }
  }

  /** One entry, or null when there is none (or it is not valid). */
  read(id: string): DaemonEntry | null {
    if (!ID.test(id)) return null;
    this.check();
    return this.#load(`${id}${SUFFIX}`);
  }

  /** Every valid entry; invalid files are skipped with one warning. */
  entries(): DaemonEntry[] {
    this.check();
    const out: DaemonEntry[] = [];
    for (const name of readdirSync(this.dir)) {
      if (name.startsWith('.') && name.endsWith('.tmp')) continue; // a write in progress, or a crash's
      const entry = this.#load(name);
      if (entry) out.push(entry);
    }
    return out;
  }

  #load(name: string): DaemonEntry | null {
    const path = join(this.dir, name);
    const id = name.endsWith(SUFFIX) ? name.slice(0, -SUFFIX.length) : '';
    let reason: string;
    if (!ID.test(id)) {
      reason = 'not an entry name';
    } else {
      let text: string;
      try {
        // O_NOFOLLOW: an entry that is a symlink to somewhere else is not an entry (ELOOP).
        const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
        try {
          if (!fstatSync(fd).isFile()) return null;
          text = readFileSync(fd, 'utf8');
        } finally {
          closeSync(fd);
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        reason = `unreadable (${(error as NodeJS.ErrnoException).code})`;
        warnOnce('NURSERY_REGISTRY_SKIPPED', `nursery: skipped ${path} in the daemon registry: ${reason}`);
        return null;
      }
      const parsed = parseEntry(text, id);
      if (typeof parsed !== 'string') return parsed;
      reason = parsed;
    }
    warnOnce('NURSERY_REGISTRY_SKIPPED', `nursery: skipped ${path} in the daemon registry: ${reason}`);
    return null;
  }
}
