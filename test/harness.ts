// `npm test` runs the suite under this harness. It makes itself a child subreaper (through
// nursery, dogfooding the reaper) so that whatever a test orphans comes back here and is reaped
// or stopped instead of lingering under the machine's PID 1, then runs node's test runner.
// What the harness had to clean up is printed at the end: it should be small and explained by
// tests that deliberately orphan processes.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Nursery } from '../src/index.js';

// Node 20's runner, given a directory, would also run the fixtures: list the test files here.
function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.test.js'))
    .map((e) => join(e.parentPath ?? e.path, e.name))
    .sort();
}

// The library's tests (dist/test/), then each workspace package's (packages/<name>/test/, which
// the root tsconfig compiles to dist/packages/<name>/test/).
function allTestFiles(): string[] {
  const testDir = fileURLToPath(new URL('.', import.meta.url));
  const packagesDir = fileURLToPath(new URL('../packages/', import.meta.url));
  const packageTestDirs = existsSync(packagesDir)
    ? readdirSync(packagesDir)
        .sort()
        .map((name) => join(packagesDir, name, 'test'))
        .filter((dir) => existsSync(dir))
    : [];
  return [testDir, ...packageTestDirs].flatMap(testFiles);
}

const extra = process.argv.slice(2).flatMap((a) => (a.endsWith('.js') ? [a] : testFiles(a)));
const nursery = new Nursery({ subreaper: true, orphans: 'kill', log: false, owner: 'test-harness' });
const runner = nursery.spawn({
  command: process.execPath,
  // A hung test file fails after 10 minutes (the 1,000-cycle daemon test and the npm installs take
  // minutes beside fork loops on a shared machine), and a hung suite is stopped after 15, rather than CI
  // waiting out its own limit.
  args: ['--test', '--test-concurrency=2', '--test-timeout=600000', ...(extra.length > 0 ? extra : allTestFiles())],
  stdio: 'inherit',
  graceMs: 10_000,
  timeoutMs: 15 * 60_000,
});
// The harness is an application, so it may own signals: stop the whole test tree on Ctrl-C/TERM.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
  process.once(sig, () => void runner.stop({ graceMs: 2000 }));
const info = await runner.exited;
const s = nursery.stats();
await nursery.close();
process.stdout.write(`# harness: untracked zombies reaped ${s.reaped}, orphans stopped ${s.orphansKilled}\n`);
if (info.timedOut) process.stdout.write('# harness: the suite ran past 15 minutes and was stopped\n');
process.exitCode = info.code ?? 1;
