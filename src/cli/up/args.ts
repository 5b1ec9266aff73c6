// `nursery up`'s command line: -f FILE and --help, nothing else, so a typo is a usage error (exit
// 2) rather than a flag silently ignored.

export const UP_USAGE = `usage: nursery up [-f FILE]

Starts every service of FILE in dependency order, prints their output as "name | line", and on
SIGTERM or SIGINT stops them in reverse dependency order (a second signal: SIGKILL at once).

  -f, --file FILE   default: the first of ./Procfile, ./nursery.json, ./nursery.yaml, ./nursery.yml
  -h, --help        this text

exit codes: 0 every service ended by the requested stop or completed successfully;
            1 a service went fatal, failed for good, or could not start; 2 usage or a bad file
(docs/up.md)
`;

export interface UpArgs {
  file: string | undefined;
  help: boolean;
}

/** The arguments, or the usage error's message. */
export function parseUpArgs(argv: readonly string[]): UpArgs | string {
  const out: UpArgs = { file: undefined, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '-h' || arg === '--help') {
      out.help = true;
      continue;
    }
    const inline = arg.startsWith('--file=') ? arg.slice('--file='.length) : undefined;
    if (arg === '-f' || arg === '--file' || inline !== undefined) {
      const value = inline ?? argv[++i];
      if (value === undefined || value === '') return `${arg} needs a file name`;
      if (out.file !== undefined) return 'only one -f FILE';
      out.file = value;
      continue;
    }
    return `unknown argument ${JSON.stringify(arg)}`;
  }
  return out;
}
