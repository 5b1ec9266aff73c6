// Every exit code through `nursery init` as PID 1 of a fresh PID namespace: 0-255 by exit(n), and
// 128 + n for each catchable death by signal n. A check, not a timing: its row says how many came
// back unchanged (the tests spot-check a spread; this runs all of them).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { type Bench, isMain, runStandalone } from './lib/harness.js';

const BIN = fileURLToPath(new URL('../../bin/nursery', import.meta.url));
const SIGNALS = [1, 2, 3, 6, 9, 10, 12, 13, 14, 15, 24, 26, 27, 30, 31];

async function codeOf(script: string): Promise<number | null> {
  const child = spawn(
    'unshare',
    ['--pid', '--fork', '--mount-proc', '--kill-child', BIN, 'init', '--', 'sh', '-c', script],
    {
      stdio: 'ignore',
    },
  );
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

export const initCodes: Bench = async (ctx) => {
  if (process.getuid?.() !== 0) {
    return { rows: [], notes: ['init exit codes: skipped (a PID namespace needs root).'] };
  }
  const wrong: string[] = [];
  const codes = ctx.quick ? [0, 1, 2, 42, 126, 127, 128, 200, 255] : Array.from({ length: 256 }, (_, i) => i);
  for (const n of codes) {
    const got = await codeOf(`exit ${n}`);
    if (got !== n) wrong.push(`exit ${n} -> ${got}`);
  }
  for (const s of SIGNALS) {
    const got = await codeOf(`kill -${s} $$`);
    if (got !== 128 + s) wrong.push(`signal ${s} -> ${got}`);
  }
  ctx.log(`${codes.length} codes and ${SIGNALS.length} signal deaths checked; wrong: ${wrong.join(', ') || 'none'}`);
  const total = codes.length + SIGNALS.length;
  return {
    rows: [
      {
        benchmark: `\`nursery init\` as PID 1: exit codes 0-255 and 128 + n for ${SIGNALS.length} signal deaths`,
        nursery: `${total - wrong.length}/${total} passed through`,
        peers: '',
        ratio: '',
        target: 'all',
        met: wrong.length === 0,
      },
    ],
    notes: [
      'init exit codes: each code from a fresh `unshare --pid --fork --mount-proc` namespace with `nursery init` ' +
        "as its PID 1, running `sh -c 'exit n'` or `sh -c 'kill -n $$'`" +
        (wrong.length ? `; wrong: ${wrong.join(', ')}.` : '.'),
    ],
  };
};

if (isMain(import.meta.url)) await runStandalone('init-codes', initCodes);
