// The plugin object as the package exports it: its meta comes from its own package.json, and the
// recommended config works on its own, with no other config and no nursery library installed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { test } from 'node:test';
import { ESLint, type Linter } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import plugin from 'eslint-plugin-nursery';
import { assertNoLeftovers } from '../../../test/helpers/proc.js';

const RULE = 'nursery/no-raw-child-process';
// The package.json next to the build that was imported (packages/eslint-plugin-nursery/).
const packageJson = createRequire(import.meta.url).resolve('eslint-plugin-nursery/package.json');
const packageDir = dirname(packageJson);
const RAW_SPAWN = "import { spawn } from 'node:child_process';\n\nexport const child = spawn('sleep', ['1']);\n";

test("meta.name and meta.version are the package's own", () => {
  const pkg = JSON.parse(readFileSync(packageJson, 'utf8')) as { name: string; version: string };
  assert.equal(pkg.name, 'eslint-plugin-nursery');
  assert.deepEqual(plugin.meta, { name: pkg.name, version: pkg.version });
});

test('the package depends on ESLint utilities only, not on the nursery library', () => {
  const pkg = JSON.parse(readFileSync(packageJson, 'utf8')) as Record<string, unknown>;
  assert.deepEqual(Object.keys(pkg.dependencies as object).sort(), ['@typescript-eslint/utils', 'minimatch']);
  assert.deepEqual(pkg.peerDependencies, { eslint: '>=9' });
});

test('the recommended config registers the plugin as nursery and turns the rule on', async () => {
  assert.equal(plugin.configs.recommended.plugins?.nursery, plugin);
  const standalone = new ESLint({
    cwd: packageDir,
    overrideConfigFile: true,
    overrideConfig: [
      { files: ['**/*.ts'], languageOptions: { parser: tsParser } },
      plugin.configs.recommended as Linter.Config,
    ],
  });
  const [result] = await standalone.lintText(RAW_SPAWN, { filePath: 'src/spawn/x.ts' });
  assert.deepEqual(
    result?.messages.map((m) => [m.ruleId, m.severity, m.line, m.column]),
    [
      [RULE, 2, 1, 10],
      [RULE, 2, 3, 22],
    ],
  );
});

// Linting spawns nothing; the file checks so anyway, as every test file in this project does.
test(
  'the plugin tests leave no child process or zombie behind',
  { skip: process.platform !== 'linux' && 'reads /proc: Linux only' },
  async () => {
    await assertNoLeftovers();
  },
);
