// nursery lints itself with its own rule, and the import boundaries of docs/design.md are written
// here, so the tree and the build say the same thing:
// - node:child_process and node-pty only in src/spawn/ (invariant 1: one wait per child); the
//   plugin's rule covers child_process, and no-restricted-syntax below covers node-pty, which the
//   plugin leaves to each project (as it does every other package that starts processes);
// - src/os/wait.ts (waitpid, waitid) only from src/reaper/ (invariant 2: the reaper is the one
//   other waiter, and it reaps by PID);
// - src/os/libc.ts (koffi) only from src/os/: the rest of nursery sees plain functions;
// - src/os/init-libc.ts (wait-any, posix_spawn) only from src/init/: the one process where
//   nursery is the only spawner (invariant 2's exception).
// The plugin is the workspace package packages/eslint-plugin-nursery, loaded by its name as a
// user's config loads it (npm links it into node_modules), from its build: `npm run lint` compiles
// first.
import tsParser from '@typescript-eslint/parser';
import nursery from 'eslint-plugin-nursery';

const WAIT = {
  group: ['**/os/wait.js'],
  message: 'Only src/reaper/ may wait for a process (docs/design.md, invariant 2).',
};
const LIBC = {
  group: ['**/os/libc.js', 'koffi'],
  message: 'koffi and the raw libc bindings stay inside src/os/: import the function from its src/os/ module.',
};
const INIT_LIBC = {
  group: ['**/os/init-libc.js'],
  message: 'Only src/init/ may wait for any child or posix_spawn (docs/design.md, invariant 2).',
};

// Every way to load node-pty but a type-only import (which starts nothing).
const NODE_PTY_MESSAGE =
  "node-pty may be loaded only in src/spawn/ (docs/design.md, invariant 1): use nursery.spawn({ mode: 'pty' }).";
const NODE_PTY = [
  "ImportDeclaration[source.value='node-pty'][importKind!='type']",
  "ImportExpression[source.value='node-pty']",
  "CallExpression[callee.name='require'][arguments.0.value='node-pty']",
  "ExportAllDeclaration[source.value='node-pty'][exportKind!='type']",
  "ExportNamedDeclaration[source.value='node-pty'][exportKind!='type']",
].map((selector) => ({ selector, message: NODE_PTY_MESSAGE }));

export default [
  { ignores: ['**/dist/**', '**/node_modules/**'] },
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'packages/*/src/**/*.ts', 'packages/*/test/**/*.ts'],
    languageOptions: {
      parser: tsParser,
      ecmaVersion: 'latest',
      sourceType: 'module',
    },
    // Registered as `nursery`: the eslint-disable comments in src/ name the rule by that prefix.
    plugins: { nursery },
    rules: {
      'nursery/no-raw-child-process': [
        'error',
        {
          allow: [
            // The one spawn site.
            'src/spawn/**',
            // Tests and benchmarks use child_process and raw kill(2) on purpose: tests make real
            // zombies and orphans to check nursery against, test/fixtures/ holds the child
            // programs that do so, and benchmarks compare nursery with child_process itself.
            'test/**',
            'bench/**',
          ],
        },
      ],
      'max-len': ['error', { code: 120, ignoreUrls: true, ignoreRegExpLiterals: true }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/reaper/**', 'src/os/**', 'src/init/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [WAIT, LIBC, INIT_LIBC] }] },
  },
  {
    files: ['src/init/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [WAIT, LIBC] }] },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/spawn/**'],
    rules: { 'no-restricted-syntax': ['error', ...NODE_PTY] },
  },
  {
    files: ['src/reaper/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [LIBC, INIT_LIBC] }] },
  },
  {
    files: ['src/os/**/*.ts'],
    ignores: ['src/os/wait.ts', 'src/os/libc.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ ...WAIT, group: ['./wait.js'] }] }] },
  },
  {
    // Files under the allow globs may still carry their own eslint-disable for the rule (as
    // src/spawn/child.ts and some fixtures do), so they stay exempt if the globs change.
    // Such a comment is redundant here, not wrong: do not warn that it is unused.
    files: ['src/spawn/**', 'test/**', 'bench/**'],
    linterOptions: { reportUnusedDisableDirectives: 'off' },
  },
];
