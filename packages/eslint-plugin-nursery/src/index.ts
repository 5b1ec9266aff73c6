// The entry point of `nursery/eslint-plugin`, kept apart from the library's own: loading the
// plugin never loads koffi, and loading nursery never loads ESLint's utilities.
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

// dist/src/eslint/index.js → the package root, in this repository and once installed alike.
function packageVersion(): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
    const version = (pkg as { version?: unknown }).version;
    return typeof version === 'string' ? version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

const plugin: NurseryPlugin = {
  meta: { name: 'nursery/eslint-plugin', version: packageVersion() },
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
