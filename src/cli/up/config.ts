// Which file `nursery up` reads and how: -f FILE, else the first of ./Procfile, ./nursery.json,
// ./nursery.yaml, ./nursery.yml. JSON and YAML go through the same schema (validate.ts); YAML
// needs the `yaml` package, an optional peer dependency loaded only when a YAML file is given.
import { existsSync, readFileSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import type { GroupMemberSpec } from '../../supervise/types.js';
import { ConfigError } from './config-error.js';
import { parseProcfile } from './procfile.js';
import { servicesOf } from './validate.js';

export const DEFAULT_FILES = ['Procfile', 'nursery.json', 'nursery.yaml', 'nursery.yml'] as const;

export interface LoadedConfig {
  file: string;
  services: Record<string, GroupMemberSpec>;
}

/** The part of the `yaml` package used here. */
export interface YamlModule {
  parse(text: string): unknown;
}

export interface LoadOptions {
  /** The directory the default files are looked for in. Default process.cwd(). */
  cwd?: string;
  /** How the yaml package is loaded (a test replaces it to see the message when it is missing). */
  importYaml?: () => Promise<YamlModule>;
}

/** The file to read: the one given, or the first default file found; null when there is none. */
export function findConfig(given: string | undefined, cwd: string): string | null {
  if (given !== undefined) return given;
  for (const name of DEFAULT_FILES) if (existsSync(join(cwd, name))) return name;
  return null;
}

// JSON.parse says where it stopped as a character position (Node 20) or as line and column (later).
function jsonError(text: string, file: string, error: Error): ConfigError {
  const lineCol = /line (\d+) column (\d+)/.exec(error.message);
  const position = /position (\d+)/.exec(error.message);
  let line: number | undefined;
  if (lineCol) line = Number(lineCol[1]);
  else if (position) line = text.slice(0, Number(position[1])).split('\n').length;
  const problem = error.message.replace(/ in JSON at position \d+.*$| \(line \d+ column \d+\)$/, '');
  return new ConfigError(file, line === undefined ? {} : { line }, `not valid JSON: ${problem}`, error);
}

async function parseYaml(text: string, file: string, importYaml: () => Promise<YamlModule>): Promise<unknown> {
  let yaml: YamlModule;
  try {
    yaml = await importYaml();
  } catch (error) {
    throw new ConfigError(file, {}, 'reading YAML needs the yaml package, which is not installed: npm i yaml', error);
  }
  try {
    return yaml.parse(text);
  } catch (error) {
    // yaml's YAMLParseError carries linePos: [{ line, col }].
    const pos = (error as { linePos?: { line: number }[] }).linePos?.[0];
    const first = String((error as Error).message).split('\n')[0];
    throw new ConfigError(file, pos ? { line: pos.line } : {}, `not valid YAML: ${first}`, error);
  }
}

const defaultImportYaml = async (): Promise<YamlModule> => (await import('yaml')) as YamlModule;

/**
 * Reads and checks `file` (relative to options.cwd).
 * @throws ConfigError naming the file and the line or field; nothing is started on a bad file.
 */
export async function loadConfig(file: string, options: LoadOptions = {}): Promise<LoadedConfig> {
  const path = resolve(options.cwd ?? process.cwd(), file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      file,
      {},
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      error,
    );
  }
  const ext = extname(file).toLowerCase();
  if (ext === '.json') {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (error) {
      throw jsonError(text, file, error as Error);
    }
    return { file, services: servicesOf(doc, file) };
  }
  if (ext === '.yaml' || ext === '.yml') {
    const doc = await parseYaml(text, file, options.importYaml ?? defaultImportYaml);
    return { file, services: servicesOf(doc, file) };
  }
  // Procfile, Procfile.dev, anything else: foreman's format.
  if (ext !== '' && !basename(file).startsWith('Procfile')) {
    throw new ConfigError(file, {}, 'unknown kind of file: a Procfile, or .json, .yaml or .yml');
  }
  return { file, services: parseProcfile(text, file) };
}
