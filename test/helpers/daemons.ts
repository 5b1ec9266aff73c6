// A daemon test that fails half-way must not leave its daemons running on the machine (they
// outlive the test process by design): every registry under the test's base directory is
// emptied, through nursery itself, before the directory goes.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Nursery } from '../../src/index.js';

export async function stopDaemonsUnder(base: string): Promise<void> {
  let names: string[] = [];
  try {
    names = readdirSync(base);
  } catch {
    return;
  }
  for (const name of names) {
    const dir = join(base, name);
    if (!statSync(dir).isDirectory()) continue;
    const n = new Nursery({ log: false, registryDir: dir });
    await n.stopAll({ daemons: true, graceMs: 1000 }).catch(() => undefined);
    await n.close();
  }
  rmSync(base, { recursive: true, force: true });
}
