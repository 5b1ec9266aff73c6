// A stopped process (SIGSTOP, SIGTSTP, a debugger) does not run its SIGTERM handler until it is
// continued: stop() sends SIGCONT after the first signal, to every member, as systemd does, so a
// stopped child with a handler ends by it, not by SIGKILL at the end of the grace.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nursery } from '../../src/index.js';
import { alive, assertNoLeftovers, stat, waitFor } from '../helpers/proc.js';
import { FIXTURES, readJsonLine } from '../helpers/tree.js';

const nursery = new Nursery({ subreaper: true, log: false });
const dir = mkdtempSync(join(tmpdir(), `nursery-stopped-${process.pid}-`));
after(async () => {
  await nursery.close({ signal: 'SIGKILL' });
  rmSync(dir, { recursive: true, force: true });
});

const stopped = (pid: number): boolean => stat(pid)?.state === 'T';

test('a SIGSTOPped child and its stopped setsid() escapee see their SIGTERM and end by their handlers', async () => {
  const child = nursery.spawn({
    command: process.execPath,
    args: [`${FIXTURES}term-trap.js`, dir, 'escape'],
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const { pid, escaped } = await readJsonLine<{ pid: number; escaped: number }>(child.stdout);
  process.kill(escaped, 'SIGSTOP');
  child.signal('SIGSTOP');
  await waitFor(() => stopped(pid) && stopped(escaped), 10_000, 'both to be stopped');
  // A grace no run of this test reaches: without SIGCONT the handlers would only meet SIGKILL.
  const info = await child.stop({ graceMs: 30_000 });
  assert.equal(info.signal, null, `ended by ${info.signal}, not by its handler`);
  assert.equal(info.code, 7);
  assert.ok(existsSync(join(dir, String(pid))), 'the child ran its SIGTERM handler');
  assert.ok(existsSync(join(dir, String(escaped))), 'the escapee ran its SIGTERM handler');
  assert.equal(alive(escaped), false);
});

test('assert no leftovers', assertNoLeftovers);
