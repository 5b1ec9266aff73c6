// `nursery up [-f FILE]` (issue 14): the services of a Procfile or a JSON/YAML file, started in
// dependency order under one Nursery, their lines printed as `name | line`, stopped in reverse
// order on SIGTERM/SIGINT (a second one: SIGKILL at once), and the exit code says what happened
// (docs/up.md). The group comes from `makeGroup`, the one seam to the Nursery's supervise().
import { Nursery } from '../../nursery.js';
import type { ServiceGroup } from '../../supervise/group.js';
import type { GroupMemberSpec } from '../../supervise/types.js';
import { UP_USAGE, parseUpArgs } from './args.js';
import { ConfigError } from './config-error.js';
import { type LoadOptions, findConfig, loadConfig } from './config.js';
import { drainNamespace } from './pid1.js';
import { Prefixer, SYSTEM_NAME, colourWanted } from './prefix.js';
import { Outcome, describeEvent } from './report.js';
import type { SignalSource } from './signals.js';

export type MakeGroup = (nursery: Nursery, specs: Record<string, GroupMemberSpec>) => ServiceGroup;

export interface UpDeps {
  makeGroup: MakeGroup;
  signals: SignalSource;
  stdout?: { write(text: string): unknown; isTTY?: boolean };
  stderr?: { write(text: string): unknown };
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  importYaml?: LoadOptions['importYaml'];
}

/** How long what is left in the namespace gets at the end, as PID 1, before SIGKILL. */
const PID1_GRACE_MS = 5000;

export async function up(argv: readonly string[], deps: UpDeps): Promise<number> {
  const stdout = deps.stdout ?? process.stdout;
  const stderr = deps.stderr ?? process.stderr;
  const cwd = deps.cwd ?? process.cwd();
  const args = parseUpArgs(argv);
  if (typeof args === 'string') {
    stderr.write(`nursery up: ${args}\n\n${UP_USAGE}`);
    return 2;
  }
  if (args.help) {
    stdout.write(UP_USAGE);
    return 0;
  }
  const file = findConfig(args.file, cwd);
  if (file === null) {
    stderr.write('nursery up: no Procfile, nursery.json, nursery.yaml or nursery.yml here; -f FILE names one\n');
    return 2;
  }
  let services: Record<string, GroupMemberSpec>;
  try {
    services = (await loadConfig(file, { cwd, ...(deps.importYaml ? { importYaml: deps.importYaml } : {}) })).services;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    stderr.write(`nursery up: ${error.message}\n`);
    return 2;
  }
  const names = Object.keys(services);
  const prefixer = new Prefixer(names, colourWanted(stdout, deps.env ?? process.env));
  const say = (text: string): void => void stdout.write(prefixer.line(SYSTEM_NAME, text));
  // Each line as the Service delivers it, whole, in order: no interleaving inside a line.
  const specs = Object.fromEntries(
    names.map((name) => {
      const spec = services[name] as GroupMemberSpec;
      const onLine = (_stream: 'stdout' | 'stderr', line: string): unknown => stdout.write(prefixer.line(name, line));
      return [name, { owner: name, ...spec, logs: { ...spec.logs, onLine } }];
    }),
  );
  const pid1 = process.pid === 1;
  // A subreaper, so the orphans of every service's tree come back here; as PID 1 they come anyway,
  // and a live one is stopped after the reaper's grace rather than left running unsupervised.
  const nursery = new Nursery({ subreaper: true, orphans: pid1 ? 'kill' : 'keep', owner: 'nursery-up' });
  try {
    return await supervise(nursery, specs, deps, say, pid1);
  } finally {
    await nursery.close();
  }
}

async function supervise(
  nursery: Nursery,
  specs: Record<string, GroupMemberSpec>,
  deps: UpDeps,
  say: (text: string) => void,
  pid1: boolean,
): Promise<number> {
  let group: ServiceGroup;
  try {
    group = deps.makeGroup(nursery, specs);
  } catch (error) {
    (deps.stderr ?? process.stderr).write(
      `nursery up: cannot start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  }
  const outcome = new Outcome(Object.keys(specs));
  let stopping: Promise<void> | null = null;
  let hurried = false;
  let ended: () => void = () => {};
  const over = new Promise<void>((resolve) => (ended = resolve));
  const stopAll = (why: string): void => {
    if (stopping) return;
    say(`stopping everything (${why})`);
    stopping = group.stop().then(ended, ended);
  };
  const offEvents = group.on((event) => {
    const text = describeEvent(event);
    if (text !== null) say(text);
    // Once the emit is over, the state says whether a restart follows; judged again a turn later
    // in case the Service settles its state after a step of its own (judging twice is harmless).
    const judge = (): void => {
      const service = group.services.get(event.service);
      if (service && outcome.judge(event, service, stopping !== null)) stopAll(`${event.service} failed`);
      if (outcome.allEnded) ended();
    };
    queueMicrotask(judge);
    setImmediate(judge);
  });
  group.started.catch((error: unknown) => {
    if (stopping) return; // the stop itself keeps the rest from starting: no failure
    for (const { name, reason } of group.info().failed) outcome.neverStarted(name, reason);
    say(error instanceof Error ? error.message : String(error));
    stopAll('a service cannot start');
  });
  const offSignals = deps.signals.subscribe((signal) => {
    if (!stopping) {
      stopAll(signal);
    } else if (!hurried) {
      hurried = true;
      say(`${signal} again: SIGKILL now`);
      void group.stop({ signal: 'SIGKILL', graceMs: 0 });
    }
  });
  try {
    await over;
    await group.stop();
    if (pid1) {
      const drained = await drainNamespace(PID1_GRACE_MS, () => hurried);
      if (drained.termed > 0)
        say(`stopped ${drained.termed} process(es) left in the namespace (${drained.killed} killed)`);
    }
  } finally {
    offEvents();
    offSignals();
  }
  for (const failure of outcome.failures) say(`failed: ${failure}`);
  return outcome.failures.length > 0 ? 1 : 0;
}
