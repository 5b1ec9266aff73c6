// The import boundaries of docs/design.md, as the project's own eslint.config.js enforces them:
// only src/reaper/ may import the wait functions, only src/os/ may import koffi or the raw libc
// bindings, only src/spawn/ may load node-pty. Judged by running ESLint's Node API on virtual files placed in the tree.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { ESLint } from 'eslint';
import { assertNoLeftovers } from './helpers/proc.js';

// dist/test/ → the repository root.
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const eslint = new ESLint({ cwd: repoRoot, overrideConfigFile: join(repoRoot, 'eslint.config.js') });

async function restricted(code: string, filePath: string, rule = 'no-restricted-imports'): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  assert.ok(result, `no lint result for ${filePath}`);
  return result.messages.filter((m) => m.ruleId === rule).map((m) => m.message);
}

const WAIT = (rel: string): string =>
  `import { waitpidNoHang } from '${rel}os/wait.js';\nexport const w = waitpidNoHang;\n`;
const LIBC = (rel: string): string => `import { libc } from '${rel}os/libc.js';\nexport const l = libc;\n`;

test('the wait functions may be imported from src/reaper/ and from nowhere else in src/', async () => {
  assert.deepEqual(await restricted(WAIT('../'), 'src/reaper/new-rule.ts'), []);
  for (const [file, rel] of [
    ['src/handle/x.ts', '../'],
    ['src/terminate/x.ts', '../'],
    ['src/nursery-x.ts', './'],
    ['src/cli/demo/x.ts', '../../'],
  ] as const) {
    const messages = await restricted(WAIT(rel), file);
    assert.equal(messages.length, 1, file);
    assert.match(messages[0] ?? '', /Only src\/reaper\/ may wait/);
  }
  assert.equal((await restricted("import { hasExited } from './wait.js';\n", 'src/os/proc-x.ts')).length, 1);
});

test('koffi and the libc bindings may be imported from src/os/ only', async () => {
  assert.deepEqual(await restricted(LIBC('./'), 'src/os/new-call.ts'), []);
  for (const [file, rel] of [
    ['src/reaper/x.ts', '../'],
    ['src/terminate/x.ts', '../'],
    ['src/handle/x.ts', '../'],
  ] as const) {
    assert.equal((await restricted(LIBC(rel), file)).length, 1, file);
  }
  assert.equal((await restricted("import koffi from 'koffi';\nexport const k = koffi;\n", 'src/spawn/x.ts')).length, 1);
});

test('the init-only libc calls (wait-any, posix_spawn) may be imported from src/init/ only', async () => {
  const INIT = (rel: string): string =>
    `import { initLibc } from '${rel}os/init-libc.js';\nexport const i = initLibc;\n`;
  assert.deepEqual(await restricted(INIT('../'), 'src/init/new-step.ts'), []);
  for (const [file, rel] of [
    ['src/reaper/x.ts', '../'],
    ['src/terminate/x.ts', '../'],
    ['src/nursery-x.ts', './'],
    ['src/cli/x.ts', '../'],
  ] as const) {
    const messages = await restricted(INIT(rel), file);
    assert.equal(messages.length, 1, file);
    assert.match(messages[0] ?? '', /Only src\/init\/ may wait for any child/);
  }
  // and src/init/ keeps the library's own boundaries
  assert.equal((await restricted(WAIT('../'), 'src/init/x.ts')).length, 1);
  assert.equal((await restricted(LIBC('../'), 'src/init/x.ts')).length, 1);
});

test('node-pty may be loaded in src/spawn/ only, in every form but a type-only import', async () => {
  const forms = [
    "import * as pty from 'node-pty';\nexport const p = pty;\n",
    "import { spawn } from 'node-pty';\nexport const s = spawn;\n",
    "export const p = await import('node-pty');\n",
    "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\n" +
      "export const p = require('node-pty');\n",
    "export { spawn } from 'node-pty';\n",
    "export * from 'node-pty';\n",
  ];
  for (const code of forms) {
    assert.deepEqual(await restricted(code, 'src/spawn/pty-x.ts', 'no-restricted-syntax'), [], code);
    for (const file of ['src/handle/x.ts', 'src/reaper/x.ts', 'src/os/x.ts', 'src/nursery-x.ts']) {
      const messages = await restricted(code, file, 'no-restricted-syntax');
      assert.equal(messages.length, 1, `${file}: ${code}`);
      assert.match(messages[0] ?? '', /node-pty may be loaded only in src\/spawn\//);
    }
  }
  const typeOnly = "import type { IPty } from 'node-pty';\nexport type P = IPty;\n";
  assert.deepEqual(await restricted(typeOnly, 'src/handle/x.ts', 'no-restricted-syntax'), []);
});

test('the test file leaves no child or zombie behind', async () => {
  await assertNoLeftovers();
});
