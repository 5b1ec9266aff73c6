// docs/design.md, invariant 5: where koffi cannot load, one warning says what is lost, nothing throws, and
// everything that does not need the FFI still works (stop() falls back to start-time identity).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Nursery } from '../../src/index.js';
import { alive, assertNoLeftovers, waitFor } from '../helpers/proc.js';

const HOST = fileURLToPath(new URL('../fixtures/no-ffi-host.js', import.meta.url));

test('without the FFI a Nursery warns once, starts no reaper, and stop() still kills the whole tree', async () => {
  const guard = new Nursery({ subreaper: true, orphans: 'kill', log: false });
  const r = await guard.run(process.execPath, [HOST], { env: { NURSERY_NO_FFI: '1' }, timeoutMs: 30_000 });
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout.trim()) as {
    escaped: number;
    signal: string;
    reaper: boolean;
    warnings: string[];
  };
  assert.equal(report.signal, 'SIGTERM');
  assert.equal(report.reaper, false);
  assert.equal(report.warnings.length, 1, report.warnings.join('\n'));
  assert.match(report.warnings[0] ?? '', /NURSERY_NO_FFI .*koffi could not load libc/);
  await waitFor(() => !alive(report.escaped), 10_000, 'the setsid grandchild to be gone');
  await guard.close();
});

test('the test file leaves no child or zombie behind', async () => {
  await assertNoLeftovers();
});
