// The command line of `nursery doctor`. Every mistake is a NurseryOptionError naming the flag,
// which the CLI prints and turns into exit code 2.
import { NurseryOptionError } from '../errors.js';

export interface DoctorArgs {
  json: boolean;
  /** Exit 1 when a parent holds more zombies than this; null: never. */
  maxZombies: number | null;
  /** The root of the subtree to look at; null: the whole host. */
  pid: number | null;
  help: boolean;
}

export const DOCTOR_USAGE = `usage: nursery doctor [--json] [--max-zombies N] [--pid N]

Looks at the whole host (or the subtree of --pid) for zombies, the processes PID 1 has adopted,
and whether PID 1 is an init, and says what to do about each finding.

  --json            print the report as JSON (stable; see docs/doctor.md)
  --max-zombies N   exit 1 when any parent holds more than N zombies (a liveness probe)
  --pid N           look only at process N and its descendants

exit codes: 0 healthy, 1 a parent holds more than --max-zombies zombies, 2 usage error
`;

// A whole decimal number, no sign, no exponent, no spaces: what an operator means by "N".
function count(flag: string, value: string | undefined, min: number): number {
  if (value === undefined) {
    throw new NurseryOptionError('ERR_NURSERY_INVALID_OPTION', flag, `${flag} needs a value`);
  }
  const n = /^[0-9]+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min) {
    const what = min === 0 ? 'a whole number >= 0' : `a whole number >= ${min}`;
    throw new NurseryOptionError(
      'ERR_NURSERY_INVALID_OPTION',
      flag,
      `${flag} must be ${what}; received ${JSON.stringify(value)}`,
    );
  }
  return n;
}

/** Parses the arguments after `doctor`; `--flag=value` and `--flag value` are both accepted. */
export function parseDoctorArgs(argv: readonly string[]): DoctorArgs {
  const out: DoctorArgs = { json: false, maxZombies: null, pid: null, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    const value = (): string | undefined => (inline !== undefined ? inline : argv[++i]);
    switch (flag) {
      case '--json':
        if (inline !== undefined) {
          throw new NurseryOptionError('ERR_NURSERY_INVALID_OPTION', flag, '--json takes no value');
        }
        out.json = true;
        break;
      case '--max-zombies':
        out.maxZombies = count(flag, value(), 0);
        break;
      case '--pid':
        out.pid = count(flag, value(), 1);
        break;
      case '--help':
      case '-h':
        out.help = true;
        break;
      default:
        throw new NurseryOptionError(
          'ERR_NURSERY_UNKNOWN_OPTION',
          arg,
          `unknown argument ${JSON.stringify(arg)} (see nursery doctor --help)`,
        );
    }
  }
  return out;
}
