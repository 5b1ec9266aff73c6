// nursery lints itself with its own rule (issue 4): src/spawn/ is the one module that may touch
// node:child_process. The plugin is the workspace package packages/eslint-plugin-nursery, loaded by
// its name as a user's config loads it (npm links it into node_modules). It is loaded from its
// build, so `npm run lint` compiles first.
import tsParser from '@typescript-eslint/parser';
import nursery from 'eslint-plugin-nursery';

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
            // The one spawn site (DESIGN invariant 1).
            'src/spawn/**',
            // Tests and benchmarks use child_process and raw kill(2) on purpose: tests make real
            // zombies and orphans to check nursery against, test/fixtures/ holds the child
            // programs that do so, and benchmarks compare nursery with child_process itself.
            'test/**',
            'bench/**',
          ],
        },
      ],
    },
  },
  {
    // Files under the allow globs may still carry their own eslint-disable for the rule (as
    // src/spawn/spawn-child.ts and some fixtures do), so they stay exempt if the globs change.
    // Such a comment is redundant here, not wrong: do not warn that it is unused.
    files: ['src/spawn/**', 'test/**', 'bench/**'],
    linterOptions: { reportUnusedDisableDirectives: 'off' },
  },
];
