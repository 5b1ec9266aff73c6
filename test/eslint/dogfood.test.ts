// The project's own eslint.config.js, run through ESLint's Node API: a child_process import
// anywhere in src/ but src/spawn/ must fail the lint. The config loads the
// plugin from the workspace package packages/eslint-plugin-nursery, as a user's config would.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { ESLint, type Linter } from 'eslint';
import plugin from 'eslint-plugin-nursery';
import { assertNoLeftovers } from '../helpers/proc.js';

const RULE = 'nursery/no-raw-child-process';
// dist/test/eslint/ → the repository root.
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const eslint = new ESLint({ cwd: repoRoot, overrideConfigFile: join(repoRoot, 'eslint.config.js') });

const RAW_SPAWN = "import { spawn } from 'node:child_process';\n\nexport const child = spawn('sleep', ['1']);\n";

async function lint(code: string, filePath: string): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(code, { filePath });
  assert.ok(result, `no lint result for ${filePath}`);
  return result.messages;
}

test('a child_process import anywhere in src/ but src/spawn/ fails the lint', async () => {
  for (const filePath of ['src/core/whatever.ts', 'src/nursery.ts', 'src/reaper/deep/scan.ts', 'src/cli/main.ts']) {
    const messages = await lint(RAW_SPAWN, filePath);
    assert.deepEqual(
      messages.map((m) => [m.ruleId, m.severity, m.line, m.column]),
      [
        [RULE, 2, 1, 10],
        [RULE, 2, 3, 22],
      ],
      filePath,
    );
    assert.match(messages[0]?.message ?? '', /nursery\.spawn/);
  }
});

test("the config's nursery plugin is the workspace package eslint-plugin-nursery", async () => {
  const config = (await eslint.calculateConfigForFile(join(repoRoot, 'src/nursery.ts'))) as Linter.Config;
  assert.equal(config.plugins?.nursery, plugin);
  assert.equal(plugin.meta.name, 'eslint-plugin-nursery');
});

test("the plugin's own package is linted by the same rule", async () => {
  for (const filePath of [
    'packages/eslint-plugin-nursery/src/rules/x.ts',
    'packages/eslint-plugin-nursery/test/x.ts',
  ]) {
    const messages = await lint(RAW_SPAWN, filePath);
    assert.ok(messages.length > 0 && messages.every((m) => m.ruleId === RULE && m.severity === 2), filePath);
  }
});

test('each way of reaching child_process fails the lint in src/', async () => {
  const variants = [
    "import * as cp from 'child_process';",
    "const cp = require('node:child_process');",
    "const { exec } = await import('child_process');",
    "export { fork } from 'node:child_process';",
  ];
  for (const code of variants) {
    const messages = await lint(`${code}\n`, 'src/core/whatever.ts');
    assert.ok(messages.length > 0 && messages.every((m) => m.ruleId === RULE && m.severity === 2), code);
  }
});

test('the same text passes in src/spawn/', async () => {
  assert.deepEqual(await lint(RAW_SPAWN, 'src/spawn/x.ts'), []);
  assert.deepEqual(await lint(RAW_SPAWN, 'src/spawn/pty/y.ts'), []);
});

test('tests, fixtures and benchmarks may use child_process', async () => {
  for (const filePath of [
    'test/core/handle.test.ts',
    'test/fixtures/orphan-maker.ts',
    'bench/spawn-vs-child-process.ts',
  ]) {
    assert.deepEqual(await lint(`${RAW_SPAWN}process.kill(child.pid ?? 0, 'SIGTERM');\n`, filePath), [], filePath);
  }
});

test('a raw process.kill() in src/ fails the lint', async () => {
  const messages = await lint(
    "export function stop(pid: number): void {\n  process.kill(pid, 'SIGTERM');\n}\n",
    'src/terminate/x.ts',
  );
  assert.deepEqual(
    messages.map((m) => [m.ruleId, m.line, m.column]),
    [[RULE, 2, 3]],
  );
});

test("src/os/kill.ts passes only through its eslint-disable comment, which names the rule as 'nursery'", async () => {
  const path = join(repoRoot, 'src/os/kill.ts');
  const [result] = await eslint.lintFiles([path]);
  assert.equal(result?.errorCount, 0);
  assert.equal(result?.warningCount, 0);
  const withoutDisable = readFileSync(path, 'utf8').replace(
    /^\/\* eslint-disable nursery\/no-raw-child-process.*\*\/$/m,
    '',
  );
  const messages = await lint(withoutDisable, 'src/os/kill.ts');
  assert.ok(messages.length > 0 && messages.every((m) => m.ruleId === RULE), JSON.stringify(messages));
});

test('src/spawn/child.ts lints clean, with no warning about its own disable comment', async () => {
  const [result] = await eslint.lintFiles([join(repoRoot, 'src/spawn/child.ts')]);
  assert.equal(result?.errorCount, 0);
  assert.equal(result?.warningCount, 0);
});

// Linting spawns nothing; the file checks so anyway, as every test file in this project does.
test(
  'the dogfood tests leave no child process or zombie behind',
  { skip: process.platform !== 'linux' && 'reads /proc: Linux only' },
  async () => {
    await assertNoLeftovers();
  },
);
