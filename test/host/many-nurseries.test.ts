// Eleven Nurseries with live children and stopOnSignals share one listener per signal and one
// 'exit' listener: no MaxListenersExceededWarning, and all is removed when the last one closes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { Nursery } from '../../src/index.js';
import { alive, assertNoLeftovers } from '../helpers/proc.js';

const EVENTS = ['exit', 'SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const counts = (): number[] => EVENTS.map((e) => process.listenerCount(e));

test('eleven Nurseries with live children and stopOnSignals add one listener per event', async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error): void => void warnings.push(`${w.name}: ${w.message}`);
  process.on('warning', onWarning);
  const before = counts();
  const nurseries = Array.from({ length: 11 }, () => new Nursery({ stopOnSignals: true, log: false }));
  const children = nurseries.map((n) => n.spawn({ command: 'sleep', args: ['1000'], stdio: 'ignore' }));
  await tick();
  assert.deepEqual(
    counts(),
    before.map((c) => c + 1),
    `listeners of ${EVENTS.join(', ')}`,
  );
  await Promise.all(nurseries.map((n) => n.close({ signal: 'SIGKILL' })));
  await tick();
  process.off('warning', onWarning);
  assert.deepEqual(counts(), before, 'every listener is removed on close');
  assert.deepEqual(
    warnings.filter((w) => w.includes('MaxListeners')),
    [],
  );
  assert.deepEqual(children.map((c) => c.pid).filter(alive), []);
});

test('assert no leftovers', assertNoLeftovers);
