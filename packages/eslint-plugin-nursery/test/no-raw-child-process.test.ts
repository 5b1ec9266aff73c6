import { after, describe, it, test } from 'node:test';
import { RuleTester } from '@typescript-eslint/rule-tester';
// The rule as the built package exports it (node_modules/eslint-plugin-nursery links here).
import plugin from 'eslint-plugin-nursery';
import { assertNoLeftovers } from '../../../test/helpers/proc.js';

const noRawChildProcess = plugin.rules['no-raw-child-process'];

RuleTester.afterAll = after;
RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const ruleTester = new RuleTester();

ruleTester.run('no-raw-child-process', noRawChildProcess, {
  valid: [
    {
      name: 'nursery itself is fine',
      code: "import { Nursery } from 'nursery';\nconst n = new Nursery();\nawait n.run('git', ['status']);",
    },
    {
      name: 'other node modules are fine',
      code: "import { readFile } from 'node:fs/promises';\nconst fs = require('fs');\nawait import('node:os');",
    },
    { name: 'a string that merely names the module', code: "const name = 'child_process';\nconsole.log(`${name}`);" },
    {
      name: 'a type-only import spawns nothing',
      code: "import type { ChildProcess } from 'node:child_process';\nlet c: ChildProcess | undefined;",
    },
    {
      name: 'a type specifier spawns nothing',
      code: "import { type ChildProcess, type SpawnOptions } from 'child_process';",
    },
    {
      name: 'a type-only namespace import spawns nothing',
      code: "import type * as cp from 'child_process';\ntype T = cp.ChildProcess;",
    },
    { name: 'a type-only re-export spawns nothing', code: "export type { ChildProcess } from 'node:child_process';" },
    { name: 'a dynamic import of a computed name cannot be judged', code: 'const m = await import(name);' },
    {
      name: 'a file matched by allow may wrap child_process',
      code: "import { spawn } from 'node:child_process';\nspawn('ls');\nprocess.kill(pid, 'SIGTERM');",
      filename: 'src/spawn/child.ts',
      options: [{ allow: ['src/spawn/**'] }],
    },
    {
      name: 'allow globs match dot directories too',
      code: "const cp = require('child_process');",
      filename: '.ci/tools/run.ts',
      options: [{ allow: ['.ci/**'] }],
    },
    {
      name: 'allowSync permits a named sync import and its calls',
      code: "import { execSync } from 'node:child_process';\nexecSync('git rev-parse HEAD');",
      options: [{ allowSync: true }],
    },
    {
      name: 'allowSync permits a destructured sync require',
      code:
        "const { spawnSync, execFileSync: run } = require('child_process');\n" +
        "spawnSync('ls');\nrun('git', ['status']);",
      options: [{ allowSync: true }],
    },
    {
      name: 'allowSync permits a namespace used only for sync functions',
      code: "import * as cp from 'child_process';\ncp.execFileSync('git', ['status']);\ncp['spawnSync']('ls');",
      options: [{ allowSync: true }],
    },
    {
      name: 'allowSync permits a required module used only for sync functions',
      code: "const cp = require('node:child_process');\nconst { execSync } = cp;\nexecSync('ls');",
      options: [{ allowSync: true }],
    },
    { name: 'signalling ourselves', code: "process.kill(process.pid, 'SIGTERM');" },
    { name: 'signalling a fixed PID', code: "process.kill(1, 'SIGTERM');\nprocess.kill(0, 'SIGINT');" },
    { name: 'signal 0 only probes', code: 'process.kill(pid, 0);' },
    {
      name: 'checkProcessKill: false turns the check off',
      code: "process.kill(pid, 'SIGTERM');",
      options: [{ checkProcessKill: false }],
    },
    {
      name: 'a local variable called process is not node:process',
      code: 'function f(process: { kill(pid: number): void }, pid: number) {\n  process.kill(pid);\n}',
    },
    { name: 'a kill that is not node:process kill', code: "import { kill } from './signals.js';\nkill(pid);" },
  ],
  invalid: [
    {
      name: 'a named spawn import and its call',
      code: "import { spawn } from 'node:child_process';\nconst c = spawn('ls', ['-l']);",
      errors: [
        { messageId: 'useSpawn', line: 1, column: 10, data: { name: 'spawn', module: 'node:child_process' } },
        { messageId: 'useSpawn', line: 2, column: 11 },
      ],
    },
    {
      name: 'a renamed exec import and its call',
      code: "import { exec as sh } from 'child_process';\nsh('ls');",
      errors: [
        { messageId: 'useRun', line: 1, column: 10, data: { name: 'exec', module: 'child_process' } },
        { messageId: 'useRun', line: 2, column: 1 },
      ],
    },
    {
      name: 'execFile and fork name their replacements',
      code: "import { execFile, fork } from 'node:child_process';",
      errors: [
        { messageId: 'useRun', line: 1, column: 10 },
        { messageId: 'useSpawnWithIpc', line: 1, column: 20 },
      ],
    },
    {
      name: 'sync functions are reported without allowSync',
      code: "import { execSync, spawnSync, execFileSync } from 'child_process';",
      errors: [
        { messageId: 'useRunForSync', line: 1, column: 10 },
        { messageId: 'useRunForSync', line: 1, column: 20 },
        { messageId: 'useRunForSync', line: 1, column: 31 },
      ],
    },
    {
      name: 'other values of the module',
      code: "import { ChildProcess, type SpawnOptions } from 'child_process';",
      errors: [{ messageId: 'noMember', line: 1, column: 10, data: { name: 'ChildProcess', module: 'child_process' } }],
    },
    {
      name: 'a default import and a call through it',
      code: "import cp from 'child_process';\ncp.spawn('ls');",
      errors: [
        { messageId: 'noImport', line: 1, column: 8 },
        { messageId: 'useSpawn', line: 2, column: 1 },
      ],
    },
    {
      name: 'a namespace import and a computed call through it',
      code: "import * as cp from 'node:child_process';\ncp['exec']('ls');",
      errors: [
        { messageId: 'noImport', line: 1, column: 8 },
        { messageId: 'useRun', line: 2, column: 1 },
      ],
    },
    {
      name: 'a member passed on without being called',
      code: "import * as cp from 'child_process';\nconst run = promisify(cp.exec);",
      errors: [
        { messageId: 'noImport', line: 1, column: 8 },
        { messageId: 'useRun', line: 2, column: 23 },
      ],
    },
    {
      name: 'a side-effect import',
      code: "import 'child_process';",
      errors: [{ messageId: 'noImport', line: 1, column: 8 }],
    },
    {
      name: 'default imported by name',
      code: "import { default as cp } from 'child_process';",
      errors: [{ messageId: 'noImport', line: 1, column: 10 }],
    },
    {
      name: 'a required module and a call through it',
      code: "const cp = require('child_process');\ncp.fork('worker.js');",
      errors: [
        { messageId: 'noImport', line: 1, column: 12 },
        { messageId: 'useSpawnWithIpc', line: 2, column: 1 },
      ],
    },
    {
      name: 'a destructured require and a call through it',
      code: "const { spawn, execFile: ef } = require('node:child_process');\nef('ls');",
      errors: [
        { messageId: 'useSpawn', line: 1, column: 9 },
        { messageId: 'useRun', line: 1, column: 16 },
        { messageId: 'useRun', line: 2, column: 1 },
      ],
    },
    {
      name: 'a rest element takes the rest of the module',
      code: "const { spawn, ...rest } = require('child_process');",
      errors: [
        { messageId: 'useSpawn', line: 1, column: 9 },
        { messageId: 'noImport', line: 1, column: 16 },
      ],
    },
    {
      name: 'a member read straight off require',
      code: "require('child_process').spawn('ls');",
      errors: [{ messageId: 'useSpawn', line: 1, column: 1 }],
    },
    {
      name: 'a bare require',
      code: "module.exports = require('child_process');",
      errors: [{ messageId: 'noImport', line: 1, column: 18 }],
    },
    {
      name: 'require with a template literal',
      code: 'const cp = require(`child_process`);',
      errors: [{ messageId: 'noImport', line: 1, column: 12 }],
    },
    {
      name: 'a require made by createRequire',
      code: "const require = createRequire(import.meta.url);\nconst { exec } = require('child_process');",
      errors: [{ messageId: 'useRun', line: 2, column: 9 }],
    },
    {
      name: 'a var required inside a block is still followed',
      code: "function f(x: boolean) {\n  if (x) {\n    var cp = require('child_process');\n  }\n  cp.spawn('ls');\n}",
      errors: [
        { messageId: 'noImport', line: 3, column: 14 },
        { messageId: 'useSpawn', line: 5, column: 3 },
      ],
    },
    {
      name: 'an awaited dynamic import and a call through it',
      code: "const cp = await import('child_process');\ncp.spawn('ls');",
      errors: [
        { messageId: 'noImport', line: 1, column: 12 },
        { messageId: 'useSpawn', line: 2, column: 1 },
      ],
    },
    {
      name: 'a destructured dynamic import',
      code: "const { exec } = await import('node:child_process');",
      errors: [{ messageId: 'useRun', line: 1, column: 9 }],
    },
    {
      name: 'a dynamic import used any other way',
      code: "import('child_process').then((cp) => cp.spawn('ls'));",
      errors: [{ messageId: 'noImport', line: 1, column: 1 }],
    },
    {
      name: 'a named re-export',
      code: "export { spawn } from 'child_process';",
      errors: [{ messageId: 'useSpawn', line: 1, column: 10 }],
    },
    {
      name: 'a re-export of the default and of a renamed member',
      code: "export { default, exec as run } from 'node:child_process';",
      errors: [
        { messageId: 'noImport', line: 1, column: 10 },
        { messageId: 'useRun', line: 1, column: 19 },
      ],
    },
    {
      name: 'a re-export of everything',
      code: "export * from 'node:child_process';",
      errors: [{ messageId: 'noImport', line: 1, column: 15 }],
    },
    {
      name: 'a namespace re-export',
      code: "export * as cp from 'child_process';",
      errors: [{ messageId: 'noImport', line: 1, column: 21 }],
    },
    {
      name: 'a TypeScript import-equals and a call through it',
      code: "import cp = require('child_process');\ncp.exec('ls');",
      errors: [
        { messageId: 'noImport', line: 1, column: 1 },
        { messageId: 'useRun', line: 2, column: 1 },
      ],
    },
    {
      name: 'allowSync still reports a namespace that also spawns',
      code: "import * as cp from 'child_process';\ncp.execSync('a');\ncp.spawn('b');",
      options: [{ allowSync: true }],
      errors: [
        { messageId: 'noImport', line: 1, column: 8 },
        { messageId: 'useSpawn', line: 3, column: 1 },
      ],
    },
    {
      name: 'allowSync still reports the async members of a named import',
      code: "import { execSync, spawn } from 'child_process';\nexecSync('a');\nspawn('b');",
      options: [{ allowSync: true }],
      errors: [
        { messageId: 'useSpawn', line: 1, column: 20 },
        { messageId: 'useSpawn', line: 3, column: 1 },
      ],
    },
    {
      name: 'allowSync still reports a namespace handed elsewhere',
      code: "import * as cp from 'child_process';\nwrap(cp);",
      options: [{ allowSync: true }],
      errors: [{ messageId: 'noImport', line: 1, column: 8 }],
    },
    {
      name: 'allowSync still reports an unused namespace',
      code: "import * as cp from 'child_process';",
      options: [{ allowSync: true }],
      errors: [{ messageId: 'noImport', line: 1, column: 8 }],
    },
    {
      name: 'a file outside the allow globs',
      code: "import { spawn } from 'node:child_process';",
      filename: 'src/core/handle.ts',
      options: [{ allow: ['src/spawn/**'] }],
      errors: [{ messageId: 'useSpawn', line: 1, column: 10 }],
    },
    {
      name: 'process.kill on a PID held in a variable',
      code: "const pid = child.pid;\nprocess.kill(pid, 'SIGTERM');",
      errors: [{ messageId: 'noProcessKill', line: 2, column: 1 }],
    },
    {
      name: 'process.kill on a group or on every process',
      code: "process.kill(-pgid, 'SIGKILL');\nprocess.kill(-1);",
      errors: [
        { messageId: 'noProcessKill', line: 1, column: 1 },
        { messageId: 'noProcessKill', line: 2, column: 1 },
      ],
    },
    {
      name: 'process.kill with a computed signal is still a signal',
      code: 'process.kill(pid, sig);',
      errors: [{ messageId: 'noProcessKill', line: 1, column: 1 }],
    },
    {
      name: 'kill imported from node:process',
      code: "import { kill } from 'node:process';\nkill(child.pid, 'SIGTERM');",
      errors: [{ messageId: 'noProcessKill', line: 2, column: 1 }],
    },
    {
      name: 'process imported from node:process',
      code: "import proc from 'node:process';\nproc.kill(pid);",
      errors: [{ messageId: 'noProcessKill', line: 2, column: 1 }],
    },
    {
      name: 'process.kill is checked even where child_process is allowed only for sync use',
      code: "import { execSync } from 'child_process';\nprocess.kill(Number(execSync('pgrep x')));",
      options: [{ allowSync: true }],
      errors: [{ messageId: 'noProcessKill', line: 2, column: 1 }],
    },
  ],
});

// Linting spawns nothing; the file checks so anyway, as every test file in this project does.
test(
  'the rule tests leave no child process or zombie behind',
  { skip: process.platform !== 'linux' && 'reads /proc: Linux only' },
  async () => {
    await assertNoLeftovers();
  },
);
