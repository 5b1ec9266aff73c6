// A Procfile (foreman's format, read here from its description, not its code): one `name: command`
// per line, `#` comments and blank lines ignored. The command is a shell line, run by /bin/sh -c
// as foreman runs it, so pipes, `&&` and variables work as typed.
import type { GroupMemberSpec } from '../../supervise/types.js';
import { ConfigError } from './config-error.js';

// Names end up in prefixes, logs and metrics labels: keep them to what reads well everywhere.
export const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** The shell's spec for one command line. */
export function shellSpec(line: string): GroupMemberSpec {
  return { command: '/bin/sh', args: ['-c', line] };
}

/**
 * Parses a Procfile's text.
 * @throws ConfigError naming the file and the line.
 */
export function parseProcfile(text: string, file: string): Record<string, GroupMemberSpec> {
  const services: Record<string, GroupMemberSpec> = {};
  const seenAt = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const colon = trimmed.indexOf(':');
    if (colon < 0) throw new ConfigError(file, { line }, `expected "name: command", got ${JSON.stringify(trimmed)}`);
    const name = trimmed.slice(0, colon).trim();
    const command = trimmed.slice(colon + 1).trim();
    if (!SERVICE_NAME.test(name)) {
      throw new ConfigError(
        file,
        { line },
        `${JSON.stringify(name)} is not a service name (letters, digits, '_', '.', '-'; a letter or digit first)`,
      );
    }
    const earlier = seenAt.get(name);
    if (earlier !== undefined)
      throw new ConfigError(file, { line }, `service "${name}" is already defined on line ${earlier}`);
    if (command === '') throw new ConfigError(file, { line }, `service "${name}" has no command`);
    seenAt.set(name, line);
    services[name] = shellSpec(command);
  });
  if (seenAt.size === 0) throw new ConfigError(file, {}, 'no service in it (expected lines of "name: command")');
  return services;
}
