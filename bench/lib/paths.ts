// Shell fixtures are not compiled: they are found in the source tree, from dist/bench/lib/ or
// bench/lib/ alike.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function shellFixture(name: string): string {
  for (const rel of [`../../../bench/fixtures/${name}`, `../fixtures/${name}`]) {
    const path = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error(`fixture ${name} not found under bench/fixtures/`);
}

/** A compiled node fixture, next to the running benchmark (dist/bench/fixtures/). */
export function nodeFixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}.js`, import.meta.url));
}
