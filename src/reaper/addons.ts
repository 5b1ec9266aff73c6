// Native addons can fork and wait on their own (node-pty's exit thread does). A zombie such an
// addon made on the main thread looks exactly like an adopted orphan, so while any native addon
// other than koffi is mapped, untracked zombies wait out the grace window instead.
import { readFileSync } from 'node:fs';

const KNOWN_SAFE = [/[\\/]koffi\.node$/];

export function foreignAddonsLoaded(): string[] {
  let maps: string;
  try {
    maps = readFileSync('/proc/self/maps', 'latin1');
  } catch {
    return [];
  }
  const found = new Set<string>();
  for (const line of maps.split('\n')) {
    const at = line.indexOf('/');
    if (at < 0) continue;
    // A file deleted or replaced after loading shows as "<path> (deleted)"; it is still mapped.
    const path = line.slice(at).replace(/ \(deleted\)$/, '');
    if (!path.endsWith('.node')) continue;
    if (!KNOWN_SAFE.some((re) => re.test(path))) found.add(path);
  }
  return [...found];
}
