// The entry point of the package eslint-plugin-nursery. It does not depend on the nursery library:
// installing the plugin never installs koffi, and installing nursery never installs ESLint.
import { readFileSync } from 'node:fs';
import type { TSESLint } from '@typescript-eslint/utils';
import { noRawChildProcess } from './rules/no-raw-child-process.js';

export type { MessageId, Options, RuleOptions } from './rules/no-raw-child-process.js';

/** The plugin object, as ESLint's flat config takes it. */
export interface NurseryPlugin {
  meta: { name: string; version: string };
  rules: { 'no-raw-child-process': typeof noRawChildProcess };
  configs: { recommended: TSESLint.FlatConfig.Config };
}

// dist/index.js → the package's own package.json, in this repository and once installed alike.
// ESLint serializes a config by its plugins' meta.name and meta.version (--cache, --print-config).
function packageMeta(): { name: string; version: string } {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    name?: unknown;
    version?: unknown;
  };
  if (typeof pkg.name !== 'string' || typeof pkg.version !== 'string')
    throw new Error('eslint-plugin-nursery: its package.json has no name or version');
  return { name: pkg.name, version: pkg.version };
}

const plugin: NurseryPlugin = {
  meta: packageMeta(),
  rules: { 'no-raw-child-process': noRawChildProcess },
  configs: { recommended: {} },
};

// The config refers to the plugin object itself, so it is filled in once that object exists.
plugin.configs.recommended = {
  name: 'nursery/recommended',
  plugins: { nursery: plugin as unknown as TSESLint.FlatConfig.Plugin },
  rules: { 'nursery/no-raw-child-process': 'error' },
};

/**
 * The nursery ESLint plugin: rule `no-raw-child-process` and a `recommended` flat config that
 * registers the plugin as `nursery` and turns the rule on as an error.
 */
export default plugin;
