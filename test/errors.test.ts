// Bad input: a typed error with a stable code, and nothing left behind: no child, no zombie,
// no file descriptor.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nursery, NurseryError, NurseryOptionError, isNurseryError, type SpawnSpec } from '../src/index.js';
import { assertNoLeftovers, openFds, ownChildren, waitFor } from './helpers/proc.js';

const nursery = new Nursery({ log: false });
const dir = mkdtempSync(join(tmpdir(), 'nursery-errors-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const notExecutable = join(dir, 'not-executable.sh');
writeFileSync(notExecutable, '#!/bin/sh\necho hi\n');
chmodSync(notExecutable, 0o644);

// Runs `fn`, expects a nursery error with `code`, and checks that nothing leaked.
async function expectError(code: string, fn: () => unknown): Promise<Error> {
  const fds = openFds();
  const children = ownChildren().length;
  let caught: unknown;
  try {
    await fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(isNurseryError(caught), `expected a nursery error, got ${String(caught)}`);
  assert.equal(caught.code, code, (caught as Error).message);
  // A failed exec reports on a later turn of the loop: poll (a leak waits out the deadline), then judge.
  const settled = (): boolean => openFds() <= fds && ownChildren().length <= children;
  await waitFor(settled, 10_000, 'the failed spawn to release what it held').catch(() => undefined);
  assert.equal(openFds(), fds, 'no file descriptor leaked');
  assert.equal(ownChildren().length, children, 'no child or zombie left');
  return caught as Error;
}

const cases: [string, string, SpawnSpec | Record<string, unknown>][] = [
  ['a command that does not exist', 'ENOENT', { command: 'nursery-no-such-command-x' }],
  ['a path that does not exist', 'ENOENT', { command: join(dir, 'missing') }],
  ['a file that is not executable', 'EACCES', { command: notExecutable }],
  ['a directory as command', 'EACCES', { command: dir }],
  ['a cwd that does not exist', 'ERR_NURSERY_BAD_CWD', { command: 'true', cwd: join(dir, 'nope') }],
  ['a cwd that is a file', 'ERR_NURSERY_BAD_CWD', { command: 'true', cwd: notExecutable }],
  ['an argument containing NUL', 'ERR_NURSERY_INVALID_OPTION', { command: 'echo', args: ['a\0b'] }],
  ['a command containing NUL', 'ERR_NURSERY_INVALID_OPTION', { command: 'ec\0ho' }],
  ['an env value containing NUL', 'ERR_NURSERY_INVALID_OPTION', { command: 'true', env: { X: 'a\0b' } }],
  ['an unknown signal name', 'ERR_NURSERY_UNKNOWN_SIGNAL', { command: 'true', killSignal: 'SIGNOPE' }],
  ['killSignal 0, which would end nothing', 'ERR_NURSERY_INVALID_OPTION', { command: 'true', killSignal: 0 }],
  ['env as a Map (its entries are no properties)', 'ERR_NURSERY_INVALID_OPTION', { command: 'true', env: new Map() }],
  ['a negative graceMs', 'ERR_NURSERY_INVALID_OPTION', { command: 'true', graceMs: -1 }],
  ['a non-finite graceMs', 'ERR_NURSERY_INVALID_OPTION', { command: 'true', graceMs: Number.POSITIVE_INFINITY }],
  ['a NaN timeoutMs', 'ERR_NURSERY_INVALID_OPTION', { command: 'true', timeoutMs: Number.NaN }],
  ['a negative timeoutMs', 'ERR_NURSERY_INVALID_OPTION', { command: 'true', timeoutMs: -5 }],
  ['an unknown option', 'ERR_NURSERY_UNKNOWN_OPTION', { command: 'true', comand: 'x' }],
  ['a bad stdio value', 'ERR_NURSERY_INVALID_OPTION', { command: 'true', stdio: 'loud' }],
  ['a negative file descriptor in stdio', 'ERR_NURSERY_INVALID_OPTION', { command: 'true', stdio: ['ignore', -1] }],
  ['a fractional file descriptor in stdio', 'ERR_NURSERY_INVALID_OPTION', { command: 'true', stdio: ['ignore', 1.5] }],
  ['a file descriptor that is not open', 'ERR_NURSERY_INVALID_OPTION', { command: 'true', stdio: ['ignore', 98_765] }],
  ['args that are not an array', 'ERR_NURSERY_INVALID_OPTION', { command: 'true', args: 'x' }],
  ['an empty command', 'ERR_NURSERY_INVALID_OPTION', { command: '' }],
  [
    'arguments larger than the kernel takes (E2BIG)',
    'ERR_NURSERY_SPAWN_FAILED',
    { command: 'true', args: ['x'.repeat(3_000_000)] },
  ],
];

for (const [what, code, spec] of cases) {
  test(`spawn() with ${what} throws ${code} and leaks nothing`, async () => {
    const error = await expectError(code, () => nursery.spawn(spec as SpawnSpec));
    assert.ok(error.message.length > 10);
  });
}

test('E2BIG says what is too large, and keeps the OS error as cause', async () => {
  const error = await expectError('ERR_NURSERY_SPAWN_FAILED', () =>
    nursery.spawn({ command: 'true', args: Array(200_000).fill('0123456789') }),
  );
  assert.match(error.message, /E2BIG.*larger than the kernel accepts/);
  assert.equal((error.cause as NodeJS.ErrnoException).code, 'E2BIG');
});

test('option errors are TypeErrors naming the option, the value and its type', async () => {
  const error = await expectError('ERR_NURSERY_INVALID_OPTION', () => nursery.spawn({ command: 'true', graceMs: -1 }));
  assert.ok(error instanceof TypeError);
  assert.ok(error instanceof NurseryOptionError);
  assert.equal((error as NurseryOptionError).option, 'graceMs');
  assert.match(error.message, /graceMs.*-1 \(number\)/);
});

test('runtime errors are NurseryErrors with name, code and the OS details', async () => {
  const error = await expectError('ENOENT', () => nursery.spawn({ command: 'nursery-no-such-command-x' }));
  assert.ok(error instanceof NurseryError);
  assert.equal(error.name, 'NurseryError');
  assert.equal((error as NurseryError).syscall, 'spawn');
});

test('run() rejects with the same typed errors', async () => {
  await expectError('ENOENT', () => nursery.run('nursery-no-such-command-x'));
  await expectError('ERR_NURSERY_INVALID_OPTION', () => nursery.run('true', [], { timeoutMs: -1 }));
  await expectError('ERR_NURSERY_INVALID_OPTION', () => nursery.run('true', [], { maxBuffer: Number.NaN }));
  await expectError('ERR_NURSERY_UNKNOWN_OPTION', () => nursery.run('true', [], { stdio: 'pipe' } as never));
});

test('stop() with a bad signal throws a typed error and leaves the child running', async () => {
  const child = nursery.spawn({ command: 'sleep', args: ['1000'], stdio: 'ignore' });
  await expectError('ERR_NURSERY_UNKNOWN_SIGNAL', () => child.stop({ signal: 'SIGBOGUS' as never }));
  await expectError('ERR_NURSERY_INVALID_OPTION', () => child.stop({ signal: 0 }));
  assert.equal(child.state, 'running');
  await child.stop();
});

test('bad Nursery options throw typed errors', async () => {
  await expectError('ERR_NURSERY_UNKNOWN_OPTION', () => new Nursery({ gracems: 1 } as never));
  await expectError('ERR_NURSERY_INVALID_OPTION', () => new Nursery({ graceMs: -1 }));
  await expectError('ERR_NURSERY_INVALID_OPTION', () => new Nursery({ orphans: 'maybe' as never }));
  await expectError('ERR_NURSERY_INVALID_OPTION', () => new Nursery({ reaper: 'yes' as never }));
  await expectError('ERR_NURSERY_INVALID_OPTION', () => new Nursery({ killSignal: 0 }));
});

test('a host that spawns many failing commands keeps running and leaks nothing', async () => {
  const fds = openFds();
  for (let i = 0; i < 200; i++) assert.throws(() => nursery.spawn({ command: 'nursery-no-such-command-x' }));
  // The streams of a failed spawn close on a later turn of the loop: poll, then judge.
  await waitFor(() => openFds() <= fds, 10_000, 'the failed spawns to release their descriptors').catch(
    () => undefined,
  );
  assert.equal(openFds(), fds);
  assert.equal(nursery.stats().spawnFailed >= 200, true);
});

test('the test file leaves no child or zombie behind', async () => {
  await nursery.close();
  await assertNoLeftovers();
});
