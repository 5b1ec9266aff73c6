// No log loss: a child that writes 1 MiB and then SIGKILLs itself has every byte delivered, in
// order, before its exit is reported, and its last lines ride on the exit event. A partial last
// line (no newline) is delivered too, and both streams are read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Nursery } from '../../src/index.js';
import { assertNoLeftovers } from '../helpers/proc.js';
import { nextEvent } from '../helpers/service.js';

const nursery = new Nursery({ subreaper: true, log: false });

// 16,384 numbered lines of 64 bytes (1 MiB) on stdout, one line on stderr, then SIGKILL.
const WRITER = [
  "const line = (i) => String(i).padStart(8, '0') + '-'.repeat(55) + '\\n';",
  'let out = ""; for (let i = 0; i < 16384; i++) out += line(i);',
  "require('fs').writeSync(1, out);",
  "require('fs').writeSync(2, 'about to die\\npartial');",
  "process.kill(process.pid, 'SIGKILL');",
].join('\n');

test('1 MiB then SIGKILL: every byte delivered before the exit, the last lines on the exit event', async () => {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const both: string[] = [];
  let linesAtExit = -1;
  const s = nursery.supervise({
    name: 'writer',
    command: process.execPath,
    args: ['-e', WRITER],
    restart: 'never',
    logs: {
      keepLast: 5,
      onLine: (stream, line) => {
        (stream === 'stdout' ? stdout : stderr).push(line);
        both.push(`${stream}:${line}`);
      },
    },
  });
  s.on((e) => {
    if (e.type === 'exit') linesAtExit = stdout.length;
  });
  const { exit } = await nextEvent(s, 'exit', 60_000);
  assert.equal(exit.signal, 'SIGKILL');
  assert.equal(linesAtExit, 16384, 'every line was delivered before the exit event');
  const bytes = stdout.reduce((n, l) => n + l.length + 1, 0);
  assert.equal(bytes, 1024 * 1024);
  stdout.forEach((l, i) => {
    if (!l.startsWith(String(i).padStart(8, '0'))) assert.fail(`line ${i} is "${l.slice(0, 20)}"`);
  });
  assert.deepEqual(stderr, ['about to die', 'partial']);
  assert.equal(exit.lastLines.length, 5);
  // The last five lines as they arrived (how the two streams interleave is the kernel's).
  assert.deepEqual(
    exit.lastLines.map((l) => `${l.stream}:${l.line}`),
    both.slice(-5),
  );
  assert.ok(exit.lastLines.some((l) => l.line === 'partial'));
  await s.stop();
});

test('lines() iterates every incarnation in order', async () => {
  const s = nursery.supervise({
    name: 'counter',
    command: 'sh',
    args: ['-c', 'echo one; echo two; exit 1'],
    backoff: { initialMs: 0, jitter: 0 },
    crashLoop: { deaths: 3, windowMs: 600_000 },
  });
  const seen: string[] = [];
  for await (const l of s.lines()) seen.push(`${l.incarnation}:${l.line}`);
  assert.equal(s.state, 'fatal');
  assert.deepEqual(seen, ['1:one', '1:two', '2:one', '2:two', '3:one', '3:two']);
});

test('a PTY service: its terminal output as lines (CRLF trimmed), the last ones on the exit event', async () => {
  const lines: string[] = [];
  const s = nursery.supervise({
    mode: 'pty',
    name: 'tty',
    command: 'sh',
    args: ['-c', 'echo hello from a tty; tty; exit 2'],
    restart: 'never',
    logs: { onLine: (_stream, line) => lines.push(line) },
  });
  const { exit } = await nextEvent(s, 'exit', 60_000);
  assert.equal(exit.code, 2);
  assert.equal(lines[0], 'hello from a tty');
  assert.match(lines[1] ?? '', /^\/dev\/pts\/\d+$/);
  assert.deepEqual(
    exit.lastLines.map((l) => l.line),
    lines,
  );
  await s.stop();
});

test('cleanup', async () => {
  await nursery.close();
  await assertNoLeftovers();
});
