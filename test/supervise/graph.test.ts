// The group's dependency graph (issue 14): start layers, the reverse stop order, and the errors
// for a missing dependency, a bad condition and a cycle (named, in a stable order).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dependencyGraph } from '../../src/supervise/graph.js';
import { isNurseryError } from '../../src/errors.js';
import { assertNoLeftovers } from '../helpers/proc.js';

test('independent services share a layer; a dependent comes after its deepest dependency', () => {
  const g = dependencyGraph({
    web: { dependsOn: { api: 'ready', assets: 'completed' } },
    api: { dependsOn: { db: 'healthy' } },
    db: {},
    cache: {},
    assets: {},
  });
  assert.deepEqual(g.startLayers, [['db', 'cache', 'assets'], ['api'], ['web']]);
  assert.deepEqual(g.stopLayers, [['web'], ['api'], ['db', 'cache', 'assets']]);
  assert.deepEqual(g.dependents.get('db'), ['api']);
  assert.deepEqual(g.dependents.get('web'), []);
  assert.deepEqual(
    [...(g.dependencies.get('web') ?? [])],
    [
      ['api', 'ready'],
      ['assets', 'completed'],
    ],
  );
  assert.deepEqual(g.names, ['web', 'api', 'db', 'cache', 'assets']);
});

test('an empty group has no layers', () => {
  assert.deepEqual(dependencyGraph({}).startLayers, []);
});

test('a dependency that is not in the group is a typed error naming both', () => {
  assert.throws(
    () => dependencyGraph({ web: { dependsOn: { dbb: 'started' } }, db: {} }),
    (e: unknown) => {
      assert.ok(isNurseryError(e));
      assert.equal(e.code, 'ERR_NURSERY_UNKNOWN_DEPENDENCY');
      assert.match((e as Error).message, /"web" depends on "dbb", which is not in the group/);
      assert.equal((e as { option?: string }).option, 'web.dependsOn.dbb');
      return true;
    },
  );
});

test('a condition that is not one of the four is refused with its field', () => {
  assert.throws(
    () => dependencyGraph({ web: { dependsOn: { db: 'up' as never } }, db: {} }),
    (e: unknown) =>
      isNurseryError(e) && e.code === 'ERR_NURSERY_INVALID_OPTION' && /web\.dependsOn\.db/.test(String(e)),
  );
  assert.throws(() => dependencyGraph({ web: { dependsOn: ['db'] as never } }), /web\.dependsOn/);
});

test('a cycle is refused with its path, a -> b -> c -> a', () => {
  const cycle = (specs: Parameters<typeof dependencyGraph>[0], text: string): void => {
    assert.throws(
      () => dependencyGraph(specs),
      (e: unknown) => {
        assert.ok(isNurseryError(e));
        assert.equal(e.code, 'ERR_NURSERY_DEPENDENCY_CYCLE');
        assert.ok((e as Error).message.endsWith(text), (e as Error).message);
        return true;
      },
    );
  };
  cycle(
    {
      a: { dependsOn: { b: 'started' } },
      b: { dependsOn: { c: 'ready' } },
      c: { dependsOn: { a: 'started' } },
    },
    ': a -> b -> c -> a',
  );
  // The cycle is named from where it closes, not from the service the walk started at.
  cycle(
    {
      web: { dependsOn: { api: 'started' } },
      api: { dependsOn: { db: 'started' } },
      db: { dependsOn: { api: 'started' } },
    },
    ': api -> db -> api',
  );
  cycle({ solo: { dependsOn: { solo: 'started' } } }, ': solo -> solo');
});

test('no leftovers', async () => {
  await assertNoLeftovers();
});
