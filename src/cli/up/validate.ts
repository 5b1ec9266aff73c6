// The schema of `nursery up`'s JSON/YAML file: { services: { name: { command, args, ... } } }
// mapped to GroupMemberSpec, every field checked with its path, then the dependencies (unknown
// names, cycles) checked by the group's own graph, so a bad file starts nothing.
import { isNurseryError } from '../../errors.js';
import { DEPENDENCY_CONDITIONS, dependencyGraph } from '../../supervise/graph.js';
import type { GroupMemberSpec, HealthSpec, ProbeSpec } from '../../supervise/types.js';
import { ConfigError } from './config-error.js';
import { type FieldChecks, fieldChecks } from './fields.js';
import { SERVICE_NAME, shellSpec } from './procfile.js';

const SERVICE_KEYS = [
  ...['command', 'args', 'cwd', 'env', 'restart', 'successCodes', 'preventCodes', 'backoff', 'crashLoop'],
  ...['ready', 'health', 'dependsOn', 'killSignal', 'graceMs', 'logs', 'containment'],
] as const;
const BACKOFF_KEYS = ['initialMs', 'factor', 'maxMs', 'jitter', 'resetAfterMs'];
const PROBE_KINDS = ['notifyFd', 'ipc', 'logLine', 'tcp', 'http', 'exec'] as const;
const HEALTH_KINDS = ['tcp', 'http', 'exec'] as const;

function probe(c: FieldChecks, value: unknown, field: string, kinds: readonly string[]): ProbeSpec {
  const o = c.object(value, field, [...kinds, 'timeoutMs', 'host']);
  const given = kinds.filter((k) => o[k] !== undefined);
  if (given.length !== 1) c.fail(field, `must have exactly one of ${kinds.join(', ')} (got ${given.length})`);
  const kind = given[0] as (typeof PROBE_KINDS)[number];
  const v = o[kind];
  const at = `${field}.${kind}`;
  const timeout = o['timeoutMs'] === undefined ? {} : { timeoutMs: c.number(o['timeoutMs'], `${field}.timeoutMs`) };
  if (o['host'] !== undefined && kind !== 'tcp') c.fail(`${field}.host`, 'goes with tcp only');
  switch (kind) {
    case 'notifyFd':
      return { notifyFd: c.integer(v, at, 3), ...timeout };
    case 'ipc':
      return { ipc: c.string(v, at), ...timeout };
    case 'logLine': {
      // A file holds a string; the Service wants a RegExp.
      try {
        return { logLine: new RegExp(c.string(v, at)), ...timeout };
      } catch (error) {
        return c.fail(at, `is not a regular expression: ${(error as Error).message}`);
      }
    }
    case 'tcp': {
      const host = o['host'] === undefined ? {} : { host: c.string(o['host'], `${field}.host`) };
      return { tcp: c.integer(v, at, 1), ...host, ...timeout };
    }
    case 'http':
      return { http: c.string(v, at), ...timeout };
    case 'exec': {
      const argv = c.strings(v, at);
      if (argv.length === 0) c.fail(at, 'must name a command');
      return { exec: argv as [string, ...string[]], ...timeout };
    }
  }
}

function health(c: FieldChecks, value: unknown, field: string): HealthSpec {
  const o = c.object(value, field, ['probe', 'intervalMs', 'timeoutMs', 'failures', 'startPeriodMs']);
  const out: HealthSpec = { probe: probe(c, o['probe'], `${field}.probe`, HEALTH_KINDS) };
  for (const k of ['intervalMs', 'timeoutMs', 'startPeriodMs'] as const) {
    if (o[k] !== undefined) out[k] = c.number(o[k], `${field}.${k}`);
  }
  if (o['failures'] !== undefined) out.failures = c.integer(o['failures'], `${field}.failures`, 1);
  return out;
}

function numbers(c: FieldChecks, value: unknown, field: string, keys: string[]): Record<string, number> {
  const o = c.object(value, field, keys);
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, c.number(v, `${field}.${k}`)]));
}

function service(c: FieldChecks, value: unknown, field: string): GroupMemberSpec {
  const o = c.object(value, field, SERVICE_KEYS);
  const command = c.string(o['command'], `${field}.command`);
  // Without args the command is a shell line, as in a Procfile; with args it is run directly.
  const spec: GroupMemberSpec =
    o['args'] === undefined ? shellSpec(command) : { command, args: c.strings(o['args'], `${field}.args`) };
  // Each value below is checked to its type in GroupMemberSpec; the record only lets it be set by name.
  const s = spec as unknown as Record<string, unknown>;
  if (o['cwd'] !== undefined) s.cwd = c.string(o['cwd'], `${field}.cwd`);
  if (o['env'] !== undefined) {
    const env = c.object(o['env'], `${field}.env`, Object.keys(o['env'] as object));
    for (const [k, v] of Object.entries(env)) if (typeof v !== 'string') c.expected(`${field}.env.${k}`, 'a string', v);
    s.env = env as Record<string, string>;
  }
  if (o['restart'] !== undefined)
    s.restart = c.oneOf(o['restart'], `${field}.restart`, ['always', 'on-failure', 'never']);
  for (const k of ['successCodes', 'preventCodes'] as const) {
    if (o[k] !== undefined) s[k] = c.integers(o[k], `${field}.${k}`);
  }
  if (o['backoff'] !== undefined) s.backoff = numbers(c, o['backoff'], `${field}.backoff`, BACKOFF_KEYS);
  if (o['crashLoop'] !== undefined)
    s.crashLoop = numbers(c, o['crashLoop'], `${field}.crashLoop`, ['deaths', 'windowMs']);
  if (o['ready'] !== undefined) s.ready = probe(c, o['ready'], `${field}.ready`, PROBE_KINDS);
  if (o['health'] !== undefined) s.health = health(c, o['health'], `${field}.health`);
  if (o['killSignal'] !== undefined) {
    const sig = o['killSignal'];
    if (typeof sig !== 'string' && !Number.isInteger(sig))
      c.expected(`${field}.killSignal`, 'a signal name or number', sig);
    s.killSignal = sig as string;
  }
  if (o['graceMs'] !== undefined) s.graceMs = c.number(o['graceMs'], `${field}.graceMs`);
  if (o['logs'] !== undefined) s.logs = numbers(c, o['logs'], `${field}.logs`, ['keepLast']);
  if (o['containment'] !== undefined) {
    s.containment = c.oneOf(o['containment'], `${field}.containment`, ['group', 'cgroup', 'auto']);
  }
  if (o['dependsOn'] !== undefined) {
    const deps = c.object(o['dependsOn'], `${field}.dependsOn`, Object.keys(o['dependsOn'] as object));
    for (const [k, v] of Object.entries(deps)) c.oneOf(v, `${field}.dependsOn.${k}`, DEPENDENCY_CONDITIONS);
    s.dependsOn = deps as GroupMemberSpec['dependsOn'];
  }
  return spec;
}

/**
 * The services of a parsed JSON/YAML document.
 * @throws ConfigError naming the file and the field.
 */
export function servicesOf(doc: unknown, file: string): Record<string, GroupMemberSpec> {
  const c = fieldChecks(file);
  const top = c.object(doc, '(top level)', ['services']);
  const raw = c.object(top['services'], 'services', Object.keys((top['services'] ?? {}) as object));
  const names = Object.keys(raw);
  if (names.length === 0) c.fail('services', 'has no service');
  const specs: Record<string, GroupMemberSpec> = {};
  for (const name of names) {
    if (!SERVICE_NAME.test(name)) c.fail(`services.${name}`, 'is not a service name (letters, digits, _ . -)');
    specs[name] = service(c, raw[name], `services.${name}`);
  }
  checkGraph(specs, file);
  return specs;
}

/** The group's own checks (unknown dependency, cycle), reported against the file. */
export function checkGraph(specs: Record<string, GroupMemberSpec>, file: string): void {
  try {
    dependencyGraph(specs);
  } catch (error) {
    if (!isNurseryError(error)) throw error;
    const option = 'option' in error ? `services.${error.option}` : 'services';
    throw new ConfigError(file, { field: option }, error.message, error);
  }
}
