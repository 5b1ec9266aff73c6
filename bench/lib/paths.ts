// Shell fixtures are not compiled: they are found in the source tree, from dist/bench/lib/ or
// bench/lib/ alike.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function shellFixture(name: string): string {
  const path = benchSource(`fixtures/${name}`);
  if (!existsSync(path)) throw new Error(`fixture ${name} not found under bench/fixtures/`);
  return path;
}

/** A path under the source bench/ folder (not dist/), e.g. for results.md. */
export function benchSource(rel: string): string {
  const fromDist = fileURLToPath(new URL(`../../../bench/${rel}`, import.meta.url));
  const fromSource = fileURLToPath(new URL(`../${rel}`, import.meta.url));
  return existsSync(fileURLToPath(new URL('../../../bench/', import.meta.url))) ? fromDist : fromSource;
}

/** A compiled node fixture, next to the running benchmark (dist/bench/fixtures/). */
export function nodeFixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}.js`, import.meta.url));
}
