// What `npm i nursery` and `npm i -D eslint-plugin-nursery` give a user: both
// packages are packed as npm would publish them and installed from the tarballs in fresh
// directories. The library must bring koffi and nothing of ESLint, TypeScript or node-pty; the
// plugin must work with ESLint alone, without the library; and the library's published types must
// serve a strict TypeScript consumer.
import assert from 'node:assert/strict';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { Nursery, type RunResult } from '../../src/index.js';
import { assertNoLeftovers } from '../helpers/proc.js';

// dist/test/package/ → the repository root.
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const pluginDir = join(repoRoot, 'packages/eslint-plugin-nursery');

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const skip = onPath('npm') ? false : 'npm is not on PATH: nothing to pack or install with';

// The versions this repository is developed and tested with, so that installs are served from
// npm's cache when it has them (--prefer-offline) and the test does not chase the registry.
function devVersion(name: string): string {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')) as {
    version: string;
  };
  return `${name}@${pkg.version}`;
}

const INSTALL = ['install', '--prefer-offline', '--no-audit', '--no-fund', '--no-update-notifier'];
const nursery = new Nursery({ log: false });
let work = '';
let libraryTarball = '';
let pluginTarball = '';
// The library's install directory, shared by the first and last tests (the TypeScript consumer
// adds typescript to it only after the first has measured it).
let libraryApp = '';
let libraryInstalled: Promise<void> | null = null;

// Generous: an npm install on a busy machine can take minutes.
async function run(command: string, args: string[], cwd: string, timeoutMs = 180_000): Promise<RunResult> {
  // npm uses its usual cache (~/.npm); only the project directories are new.
  return nursery.run(command, args, { cwd, timeoutMs });
}

async function mustRun(command: string, args: string[], cwd: string): Promise<RunResult> {
  const r = await run(command, args, cwd);
  assert.equal(r.code, 0, `${command} ${args.join(' ')} in ${cwd} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

async function pack(dir: string, destination: string): Promise<string> {
  // --ignore-scripts: `prepare` would rebuild dist/ under the tests that run from it. `npm test`
  // has just built it.
  const r = await mustRun('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', destination], dir);
  const [info] = JSON.parse(r.stdout) as { filename: string }[];
  assert.ok(info, r.stdout);
  return join(destination, info.filename);
}

function newApp(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }, null, 2));
  return dir;
}

// Every package npm installed (node_modules/.package-lock.json lists what is on disk), by name.
function installedPackages(app: string): string[] {
  const lock = JSON.parse(readFileSync(join(app, 'node_modules/.package-lock.json'), 'utf8')) as {
    packages: Record<string, { link?: boolean }>;
  };
  return Object.keys(lock.packages)
    .filter((path) => path.startsWith('node_modules/'))
    .map((path) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
}

before(async () => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'nursery-install-'));
  mkdirSync(join(work, 'pack'));
  [libraryTarball, pluginTarball] = await Promise.all([
    pack(repoRoot, join(work, 'pack')),
    pack(pluginDir, join(work, 'pack')),
  ]);
  libraryApp = newApp('library-app');
  libraryInstalled = mustRun('npm', [...INSTALL, libraryTarball], libraryApp).then(() => undefined);
  // Not awaited here: the plugin's install runs alongside, and each test awaits its own.
  libraryInstalled.catch(() => {});
});

after(async () => {
  await libraryInstalled?.catch(() => {});
  await nursery.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

test(
  'the packed library ships compiled JS and types, no source maps, no ESLint plugin',
  { skip, timeout: 6 * 60_000 },
  async () => {
    const r = await mustRun('tar', ['-tzf', libraryTarball], work);
    const files = r.stdout.trim().split('\n');
    assert.ok(files.includes('package/dist/src/index.js'), r.stdout);
    assert.ok(files.includes('package/dist/src/index.d.ts'), r.stdout);
    assert.deepEqual(
      files.filter((f) => f.endsWith('.map') || f.includes('/eslint') || f.startsWith('package/src/')),
      [],
    );
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(pkg.dependencies as object), ['koffi']);
    assert.equal(pkg.optionalDependencies, undefined);
    // node-pty, prom-client and yaml are optional peers: PTY mode, metrics() and `nursery up` with a
    // YAML file use them when the application has installed them. playwright-core (the debug page's
    // browser test) is a devDependency only.
    assert.deepEqual(pkg.peerDependencies, { 'node-pty': '^1.1.0', 'prom-client': '^15.0.0', yaml: '^2.0.0' });
    assert.deepEqual(pkg.peerDependenciesMeta, {
      'node-pty': { optional: true },
      'prom-client': { optional: true },
      yaml: { optional: true },
    });
  },
);

test(
  'npm i nursery installs koffi and no ESLint, TypeScript or node-pty, and nursery runs',
  { skip, timeout: 6 * 60_000 },
  async (t) => {
    await libraryInstalled;
    const names = installedPackages(libraryApp);
    const unwanted = names.filter(
      (n) =>
        n.startsWith('@typescript-eslint/') ||
        ['eslint', 'typescript', 'node-pty', 'minimatch', 'prom-client', 'playwright-core', 'yaml'].includes(n),
    );
    assert.deepEqual(unwanted, [], `installed: ${names.join(' ')}`);
    for (const dir of [
      '@typescript-eslint',
      'eslint',
      'typescript',
      'node-pty',
      'prom-client',
      'playwright-core',
      'yaml',
    ])
      assert.equal(existsSync(join(libraryApp, 'node_modules', dir)), false, dir);
    assert.ok(names.includes('nursery') && names.includes('koffi'), names.join(' '));

    const du = await mustRun('du', ['-sk', 'node_modules'], libraryApp);
    const kb = Number(du.stdout.split('\t')[0]);
    t.diagnostic(
      `npm i nursery: ${names.length} packages (${names.join(', ')}), ${kb} kB on disk (du -sk node_modules)`,
    );

    writeFileSync(
      join(libraryApp, 'smoke.js'),
      [
        "import { Nursery } from 'nursery';",
        'const nursery = new Nursery();',
        "const info = await nursery.spawn({ command: 'true' }).exited;",
        'let noPty = null;',
        "try { nursery.spawn({ mode: 'pty', command: 'true' }); }",
        'catch (e) { noPty = { code: e.code, message: e.message }; }',
        'await nursery.close();',
        'console.log(JSON.stringify({ ...info, noPty }));',
        '',
      ].join('\n'),
    );
    const smoke = await mustRun(process.execPath, ['smoke.js'], libraryApp);
    const info = JSON.parse(smoke.stdout) as {
      code: number | null;
      signal: string | null;
      noPty: { code: string; message: string } | null;
    };
    assert.equal(info.code, 0, smoke.stdout);
    assert.equal(info.signal, null);
    // Without node-pty (an optional peer, not installed), PTY mode is a typed error saying what to install.
    assert.equal(info.noPty?.code, 'ERR_NURSERY_NO_PTY', smoke.stdout);
    assert.match(info.noPty.message, /node-pty.*npm i node-pty/);
    // The CLI is installed as a bin.
    const version = await mustRun(join(libraryApp, 'node_modules/.bin/nursery'), ['version'], libraryApp);
    assert.match(version.stdout, /0\.\d+\.\d+/);
  },
);

test(
  'npm i -D eslint-plugin-nursery eslint@9: the documented config reports a raw spawn',
  { skip, timeout: 6 * 60_000 },
  async () => {
    const app = newApp('plugin-app');
    await mustRun('npm', [...INSTALL, '--save-dev', pluginTarball, devVersion('eslint')], app);
    const names = installedPackages(app);
    // The plugin does not need the library: no nursery, no koffi.
    assert.deepEqual(
      names.filter((n) => n === 'nursery' || n === 'koffi'),
      [],
      names.join(' '),
    );
    writeFileSync(
      join(app, 'eslint.config.js'),
      "import nursery from 'eslint-plugin-nursery';\n\nexport default [nursery.configs.recommended];\n",
    );
    writeFileSync(join(app, 'index.js'), "import { spawn } from 'node:child_process';\nspawn('ls');\n");
    const lint = await run('npx', ['--no-install', 'eslint', '.'], app);
    assert.equal(lint.code, 1, `${lint.stdout}\n${lint.stderr}`);
    assert.match(lint.stdout, /nursery\/no-raw-child-process/);
    // Once for the import, once for the call.
    assert.equal(lint.stdout.match(/nursery\/no-raw-child-process/g)?.length, 2, lint.stdout);
    writeFileSync(join(app, 'index.js'), "import { readFile } from 'node:fs/promises';\nawait readFile('x');\n");
    const clean = await run('npx', ['--no-install', 'eslint', '.'], app);
    assert.equal(clean.code, 0, `${clean.stdout}\n${clean.stderr}`);
  },
);

// The public types a consumer names: every one a public signature mentions must come from 'nursery'.

const CONSUMER = `import {
  Nursery,
  NurseryError,
  NurseryOptionError,
  isNurseryError,
  type NurseryOptions,
  type NurseryStats,
  type Handle,
  type PtyHandle,
  type PtySpawnSpec,
  type ChildMode,
  type ChildInfo,
  type ChildState,
  type ExitInfo,
  type StopOptions,
  type RunOptions,
  type RunResult,
  type SpawnSpec,
  type ForkOptions,
  type StdioSpec,
  type StdioValue,
  type StdioEntry,
  type NurseryErrorCode,
  type OrphanPolicy,
  type OrphanInfo,
  type ReapEvent,
  MaxBufferError,
  type NurseryWarningCode,
  type DaemonSpec,
  type DaemonHandle,
  type DaemonInfo,
  type DaemonExit,
  type StopAllOptions,
} from 'nursery';

const policy: OrphanPolicy = {
  kill(info: OrphanInfo) {
    return info.comm === 'chrome';
  },
};
const registryDir = 'registry';
const options: NurseryOptions = { subreaper: true, orphans: policy, log: false, graceMs: 2000, registryDir };
const nursery = new Nursery(options);

const warnings = new Set<NurseryWarningCode>();
process.on('warning', (w) => {
  if (w.name === 'NurseryWarning') warnings.add((w as Error & { code: NurseryWarningCode }).code);
});
const reaps: ReapEvent[] = [];

const quiet: StdioValue = 'ignore';
const stderrFd: StdioEntry = 2;
const stdio: StdioSpec = [quiet, 'pipe', stderrFd];
const spec: SpawnSpec = { command: 'sh', args: ['-c', 'echo spawned'], stdio, owner: 'consumer' };
const child: Handle = nursery.spawn(spec);
const state: ChildState = child.state;
const listed: ChildInfo[] = nursery.list();
const exit: ExitInfo = await child.exited;
const stop: StopOptions = { signal: 'SIGTERM', graceMs: 100 };
await child.stop(stop);

const runOptions = { timeoutMs: 10_000 } satisfies RunOptions;
const result: RunResult = await nursery.run('echo', ['ran'], runOptions);

let overflow: MaxBufferError | undefined;
try {
  await nursery.run('sh', ['-c', 'head -c 100000 /dev/zero'], { maxBuffer: 10 });
} catch (error: unknown) {
  if (isNurseryError(error)) {
    const code: NurseryErrorCode = error.code;
    if (code === 'ERR_NURSERY_MAX_BUFFER' && error instanceof MaxBufferError) overflow = error;
  }
}
const kept: string | Buffer | undefined = overflow?.result.stdout;

const daemonSpec: DaemonSpec = { mode: 'daemon', command: 'sleep', args: ['1000'], owner: 'consumer' };
const daemon: DaemonHandle = await nursery.spawn(daemonSpec);
const daemons: DaemonInfo[] = nursery.daemons();
const all: StopAllOptions = { daemons: true, graceMs: 1000 };
await nursery.stopAll(all);
const daemonExit: DaemonExit = await daemon.exited;

let optionError: NurseryOptionError | undefined;
try {
  new Nursery({ graceMs: -1 });
} catch (error: unknown) {
  if (error instanceof NurseryOptionError) optionError = error;
}

const forkOptions: ForkOptions = { stdio: ['ignore', 'ignore', 'inherit'], execArgv: [] };
const mode: ChildMode | undefined = listed[0]?.mode;
const ptySpec: PtySpawnSpec = { mode: 'pty', command: 'sh', cols: 100, rows: 30 };
let noPty = '';
try {
  const terminal: PtyHandle = nursery.spawn(ptySpec);
  terminal.onData(() => undefined);
} catch (error: unknown) {
  if (isNurseryError(error)) noPty = error.code;
}
const stats: NurseryStats = nursery.stats();
await nursery.close();
let closedError: NurseryError | undefined;
try {
  nursery.spawn({ command: 'true' });
} catch (error: unknown) {
  if (error instanceof NurseryError) closedError = error;
}

const ok =
  listed.length === 1 &&
  state === 'running' &&
  exit.code === 0 &&
  result.stdout === 'ran\\n' &&
  overflow !== undefined &&
  kept?.length === 10 &&
  daemons.length === 1 &&
  daemons[0]?.id === daemon.id &&
  daemonExit.stopped &&
  optionError !== undefined &&
  closedError?.code === 'ERR_NURSERY_CLOSED' &&
  stats.spawned === 3 &&
  forkOptions.execArgv?.length === 0 &&
  mode === 'normal' &&
  noPty === 'ERR_NURSERY_NO_PTY' &&
  reaps.length === 0 &&
  warnings.size >= 0;
console.log(ok ? 'consumer ok' : 'consumer failed');
process.exitCode = ok ? 0 : 1;
`;

test(
  'a strict TypeScript consumer (module nodenext) compiles against the public types and runs',
  { skip, timeout: 6 * 60_000 },
  async (t) => {
    await libraryInstalled;
    const app = libraryApp;
    await mustRun('npm', [...INSTALL, '--save-dev', devVersion('typescript'), devVersion('@types/node')], app);
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify(
        {
          compilerOptions: {
            strict: true,
            module: 'nodenext',
            moduleResolution: 'nodenext',
            target: 'ES2022',
            outDir: 'out',
            types: ['node'],
          },
          files: ['consumer.ts'],
        },
        null,
        2,
      ),
    );
    writeFileSync(join(app, 'consumer.ts'), CONSUMER);
    const tsc = await run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], app);
    assert.equal(tsc.code, 0, `tsc:\n${tsc.stdout}\n${tsc.stderr}`);
    const r = await mustRun(process.execPath, ['out/consumer.js'], app);
    assert.match(r.stdout, /consumer ok/);
  },
);

test(
  'the install tests leave no child process or zombie behind',
  { skip: skip || (process.platform !== 'linux' && 'reads /proc: Linux only') },
  async () => {
    await assertNoLeftovers();
  },
);
