#!/usr/bin/env node
// The `nursery` command. Each subcommand is imported only when asked for, so `nursery init`
// starts without loading the library it does not use.
import { readFileSync } from 'node:fs';

const USAGE = `usage: nursery <command>

commands:
  init       run a command as a container's PID 1 (nursery init --help)
  demo       replay the seeds' process leaks with child_process, then with nursery
  doctor     zombies by parent, orphans adopted by PID 1, what PID 1 is, and what to do
  ps         a running nursery's children by owner, from its debug endpoint (nursery ps --help)
  up         start a Procfile's or nursery.json's services in dependency order (nursery up --help)
  help       this text
  version    print the version
`;

async function main(argv: string[]): Promise<number> {
  const [cmd] = argv;
  switch (cmd) {
    case 'init': {
      // Before anything else loads: as PID 1, a signal that finds no handler is lost.
      const held = (await import('../init/early.js')).holdSignals();
      return (await import('../init/init.js')).init(argv.slice(1), held);
    }
    case 'demo':
      return (await import('./demo/demo.js')).demo();
    case 'version':
    case '--version': {
      const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
        version: string;
      };
      process.stdout.write(`${pkg.version}\n`);
      return 0;
    }
    case 'doctor':
      return (await import('../doctor/doctor.js')).doctor(argv.slice(1));
    case 'ps':
      return (await import('./ps.js')).ps(argv.slice(1));
    case 'up': {
      // Before the library loads: as PID 1, a SIGTERM that finds no handler is lost.
      const signals = (await import('./up/signals.js')).holdStopSignals();
      const [{ up }, { makeGroup }] = await Promise.all([import('./up/up.js'), import('./up/wiring.js')]);
      try {
        return await up(argv.slice(1), { makeGroup, signals });
      } finally {
        signals.close();
      }
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return cmd === undefined ? 2 : 0;
    default:
      process.stderr.write(`nursery: unknown command ${JSON.stringify(cmd)}\n\n${USAGE}`);
      return 2;
  }
}

const argv = process.argv.slice(2);
// bin/nursery's record of the inherited signal dispositions is for `init` alone.
if (argv[0] !== 'init') delete process.env.NURSERY_INIT_SIGIGN;
const code = await main(argv);
// The init's exit code is its command's: nothing may keep it running once it is decided.
if (argv[0] === 'init') process.exit(code);
process.exitCode = code;
