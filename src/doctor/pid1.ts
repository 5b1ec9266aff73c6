// What PID 1 is. The kernel hands every orphan of the namespace to PID 1 and only PID 1 can reap
// them, so an application there (node, python, a shell script's exec target) leaks a zombie for
// every orphan that exits. Known inits are recognised by name; `nursery init` by its command line.
import type { Pid1Kind } from './types.js';

// comm (at most 15 characters) of programs that reap every child and are made to be PID 1.
const KNOWN_INITS = new Map<string, string>([
  ['tini', 'tini'],
  ['tini-static', 'tini'],
  ['docker-init', 'docker-init (tini)'],
  ['dumb-init', 'dumb-init'],
  ['catatonit', 'catatonit'],
  ['podman-init', 'podman-init (catatonit)'],
  ['s6-svscan', 's6-svscan'],
  ['s6-linux-init', 's6-linux-init'],
  ['systemd', 'systemd'],
  ['init', 'init'],
  ['runit', 'runit'],
  ['runit-init', 'runit'],
  ['openrc-init', 'openrc-init'],
  ['supervisord', 'supervisord'],
  ['pause', 'pause (Kubernetes)'],
]);

const basename = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/** True for `nursery init ...` however it was started: `node .../nursery init`, `nursery init`, `npx nursery init`. */
export function isNurseryInit(cmdline: string): boolean {
  const args = cmdline.split(' ').filter(Boolean);
  for (let i = 0; i + 1 < args.length; i++) {
    const arg = args[i] as string;
    const isNursery = basename(arg) === 'nursery' || /(^|\/)dist\/src\/cli\/main\.js$/.test(arg);
    if (isNursery && args[i + 1] === 'init') return true;
    if (arg === '--') break; // the command's own arguments start here
  }
  return false;
}

/** Classifies PID 1 by its name and command line; null comm means /proc/1 could not be read. */
export function classifyPid1(comm: string | null, cmdline: string | null): { kind: Pid1Kind; init: string | null } {
  if (comm === null) return { kind: 'unknown', init: null };
  if (cmdline !== null && isNurseryInit(cmdline)) return { kind: 'nursery-init', init: 'nursery init' };
  const known = KNOWN_INITS.get(comm);
  if (known !== undefined) return { kind: 'init', init: known };
  // A renamed or wrapped init still shows its program in argv[0] (/sbin/tini, /usr/lib/systemd/systemd).
  const argv0 = cmdline === null ? '' : basename(cmdline.split(' ')[0] ?? '');
  const byArgv0 = KNOWN_INITS.get(argv0);
  if (byArgv0 !== undefined) return { kind: 'init', init: byArgv0 };
  return { kind: 'application', init: null };
}
