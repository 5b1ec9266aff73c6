// `nursery up` end to end (issue 14's proof): three services, one depending on another's readiness:
// the start order, the prefixed output, the reverse stop order on SIGTERM, nothing left, and bad
// files refused with exit 2 before anything starts. The dependency needs a JSON/YAML file (a
// Procfile has no place for one). The in-process runs use nursery.group() itself; one run goes
// through the CLI with a real SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nursery } from '../../src/index.js';
import { type MakeGroup, up } from '../../src/cli/up/up.js';
import type { SignalSource, StopSignal } from '../../src/cli/up/signals.js';
import { NURSERY_BIN } from '../helpers/init.js';
import { assertNoLeftovers, waitFor } from '../helpers/proc.js';

const dir = mkdtempSync(join(tmpdir(), 'nursery-up-'));
const nursery = new Nursery({ logger: false });

// Each service says goodbye on SIGTERM, so the order of the stop shows in the output.
const svc = (name: string, first: string): string =>
  `trap 'echo ${name} bye; exit 0' TERM; echo ${first}; sleep 600 & wait`;
const THREE = `services:
  web:
    command: "${svc('web', 'web up')}"
    dependsOn: { api: started }
  api:
    command: "${svc('api', 'api up')}"
    dependsOn: { db: ready }
  db:
    command: "${svc('db', 'db accepting connections')}"
    ready: { logLine: accepting connections }
`;

const real: MakeGroup = (n, specs) => n.group(specs);

function signals(): SignalSource & { fire(s: StopSignal): void } {
  let listener: ((s: StopSignal) => void) | null = null;
  return {
    subscribe: (l) => ((listener = l), () => (listener = null)),
    close: () => {},
    fire: (s) => listener?.(s),
  };
}

const index = (out: string, line: string): number => {
  const i = out.split('\n').indexOf(line);
  assert.ok(i >= 0, `no line ${JSON.stringify(line)} in:\n${out}`);
  return i;
};

function checkRun(out: string): void {
  // Start: db, then api once db is ready, then web once api has started.
  assert.ok(index(out, 'db      | db accepting connections') < index(out, 'nursery | db is ready'));
  const started = (n: string): number => out.split('\n').findIndex((l) => l.startsWith(`nursery | ${n} started (pid `));
  assert.ok(started('db') >= 0 && started('db') < index(out, 'nursery | db is ready'), out);
  assert.ok(index(out, 'nursery | db is ready') < started('api') && started('api') < started('web'), out);
  assert.ok(index(out, 'api     | api up') >= 0 && index(out, 'web     | web up') >= 0);
  // Stop: web, then api, then db, each only once its dependents are gone.
  assert.ok(index(out, 'nursery | web stopped') < index(out, 'api     | api bye'), out);
  assert.ok(index(out, 'nursery | api stopped') < index(out, 'db      | db bye'), out);
  assert.ok(index(out, 'web     | web bye') < index(out, 'nursery | web stopped'), out);
}

test('three services: start order, prefixed output, reverse stop order on SIGTERM', async () => {
  const cwd = mkdtempSync(join(dir, 'three-'));
  writeFileSync(join(cwd, 'nursery.yaml'), THREE);
  let out = '';
  const sig = signals();
  const code = up([], { makeGroup: real, signals: sig, cwd, env: {}, stdout: { write: (s) => (out += s) } });
  await waitFor(() => out.includes('web     | web up'), 60_000, 'web to start');
  sig.fire('SIGTERM');
  assert.equal(await code, 0, out);
  checkRun(out);
  assert.match(out, /nursery \| stopping everything \(SIGTERM\)/);
});

test('a service that fails for good stops the rest and exits 1', async () => {
  const cwd = mkdtempSync(join(dir, 'fail-'));
  writeFileSync(join(cwd, 'Procfile'), `ok: ${svc('ok', 'ok up')}\nbad: echo bad up; exit 3\n`);
  let out = '';
  const code = await up([], {
    makeGroup: real,
    signals: signals(),
    cwd,
    env: {},
    stdout: { write: (s) => (out += s) },
  });
  assert.equal(code, 1, out);
  assert.match(out, /^bad +\| bad up$/m);
  assert.match(out, /^nursery \| bad exited with code 3$/m);
  assert.match(out, /^nursery \| ok stopped$/m);
  assert.match(out, /^nursery \| failed: bad went fatal/m);
});

test('a bad file: exit 2, the file and the line or field named, nothing started', async () => {
  const marker = join(dir, 'started');
  writeFileSync(join(dir, 'Procfile.bad'), `first: touch ${marker}\nsecond touch ${marker}\n`);
  const r = await nursery.run(NURSERY_BIN, ['up', '-f', 'Procfile.bad'], { cwd: dir, timeoutMs: 60_000 });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^nursery up: Procfile\.bad: line 2: expected "name: command"/);
  writeFileSync(
    join(dir, 'bad.json'),
    JSON.stringify({ services: { web: { command: `touch ${marker}`, restart: 'often' } } }),
  );
  const j = await nursery.run(NURSERY_BIN, ['up', '--file=bad.json'], { cwd: dir, timeoutMs: 60_000 });
  assert.equal(j.code, 2, j.stderr);
  assert.match(j.stderr, /^nursery up: bad\.json: services\.web\.restart: must be/);
  assert.equal(existsSync(marker), false, 'a service was started from a bad file');
  const none = await nursery.run(NURSERY_BIN, ['up'], { cwd: mkdtempSync(join(dir, 'empty-')), timeoutMs: 60_000 });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no Procfile, nursery\.json, nursery\.yaml or nursery\.yml here/);
  assert.equal((await nursery.run(NURSERY_BIN, ['up', '-x'], { timeoutMs: 60_000 })).code, 2);
});

test('the CLI with a real SIGTERM: the same order, exit 0, nothing left', async () => {
  const cwd = mkdtempSync(join(dir, 'cli-'));
  writeFileSync(join(cwd, 'nursery.yaml'), THREE);
  const child = nursery.spawn({ command: NURSERY_BIN, args: ['up'], cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  await waitFor(() => out.includes('web     | web up'), 60_000, 'web to start');
  child.signal('SIGTERM');
  const info = await child.exited;
  assert.equal(info.code, 0, out);
  checkRun(out);
});

test('no leftovers', async () => {
  await nursery.close();
  rmSync(dir, { recursive: true, force: true });
  await assertNoLeftovers();
});
