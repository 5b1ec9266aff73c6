// The `name | line` prefixer of `nursery up`: names padded to one width (the system's own name
// included), a colour per service on a terminal only, none with NO_COLOR or in a pipe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Prefixer, SYSTEM_NAME, colourWanted } from '../../../src/cli/up/prefix.js';
import { assertNoLeftovers } from '../../helpers/proc.js';

test('plain: every name padded to the widest, the line kept as it is', () => {
  const p = new Prefixer(['web', 'background-worker'], false);
  assert.equal(p.line('web', 'listening on :3000'), 'web               | listening on :3000\n');
  assert.equal(p.line('background-worker', ''), 'background-worker | \n');
  assert.equal(p.line(SYSTEM_NAME, 'web started'), 'nursery           | web started\n');
});

test("the system's name sets the width when the services' names are shorter", () => {
  assert.equal(new Prefixer(['db'], false).line('db', 'x'), 'db      | x\n');
});

test('coloured: one colour per service, the system bold, reset before the line', () => {
  const p = new Prefixer(['a', 'b'], true);
  assert.equal(p.line('a', 'x'), '\u001b[36ma       | \u001b[0mx\n');
  assert.equal(p.line('b', 'x'), '\u001b[33mb       | \u001b[0mx\n');
  assert.equal(p.line(SYSTEM_NAME, 'x'), '\u001b[1mnursery | \u001b[0mx\n');
});

test('colour only on a terminal, and never with NO_COLOR set', () => {
  assert.equal(colourWanted({ isTTY: true }, {}), true);
  assert.equal(colourWanted({ isTTY: true }, { NO_COLOR: '1' }), false);
  // no-color.org: an empty NO_COLOR does not count.
  assert.equal(colourWanted({ isTTY: true }, { NO_COLOR: '' }), true);
  assert.equal(colourWanted({}, {}), false);
  assert.equal(colourWanted({ isTTY: false }, {}), false);
});

test('no leftovers', async () => {
  await assertNoLeftovers();
});
