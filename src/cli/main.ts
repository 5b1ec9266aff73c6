#!/usr/bin/env node
// The `nursery` command. Subcommands: demo (more arrive with later issues).
import { readFileSync } from 'node:fs';
import { demo } from './demo/demo.js';

const USAGE = `usage: nursery <command>

commands:
  demo       replay the seeds' process leaks with child_process, then with nursery
  doctor     zombies by parent, orphans adopted by PID 1, what PID 1 is, and what to do
  help       this text
  version    print the version
`;

async function main(argv: string[]): Promise<number> {
  const [cmd] = argv;
  switch (cmd) {
    case 'demo':
      return demo();
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

process.exitCode = await main(process.argv.slice(2));
