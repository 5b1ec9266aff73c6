// Registry abuse: a directory someone else could have planted or can read, and files in it that
// are not entries. Each has a clear outcome; daemons() never throws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopDaemonsUnder } from '../helpers/daemons.js';
import { Nursery, isNurseryError } from '../../src/index.js';
import { alive, assertNoLeftovers } from '../helpers/proc.js';

const base = mkdtempSync(join(tmpdir(), 'nursery-registry-'));
const warnings: string[] = [];
process.on('warning', (w) => warnings.push(`${(w as Error & { code?: string }).code ?? ''} ${w.message}`));
const nursery = new Nursery({ subreaper: true, log: false });

const refused = (e: unknown): boolean => isNurseryError(e) && e.code === 'ERR_NURSERY_REGISTRY';
const isRoot = process.getuid?.() === 0;

test(
  'a symlinked registry directory is refused: spawn rejects with ' +
    'ERR_NURSERY_REGISTRY, daemons() warns and lists nothing',
  async () => {
    const real = join(base, 'real');
    mkdirSync(real, { mode: 0o700 });
    const link = join(base, 'link');
    symlinkSync(real, link);
    const n = new Nursery({ log: false, registryDir: link });
    await assert.rejects(n.spawn({ mode: 'daemon', command: 'sleep', args: ['1000'] }), refused);
    assert.deepEqual(n.daemons(), []);
    await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
    assert.ok(warnings.some((w) => w.startsWith('NURSERY_REGISTRY_REFUSED') && w.includes('symbolic link')));
    assert.throws(() => n.attach('d-0123456789ab'), refused);
    assert.deepEqual(readdirSync(real), [], 'nothing was written through the link');
  },
);

test(
  'a directory owned by someone else, or open to others, is refused',
  { skip: !isRoot && 'chown needs root' },
  async () => {
    const foreign = join(base, 'foreign');
    mkdirSync(foreign, { mode: 0o700 });
    chownSync(foreign, 65534, 65534);
    await assert.rejects(
      new Nursery({ log: false, registryDir: foreign }).spawn({ mode: 'daemon', command: 'true' }),
      (e: unknown) => refused(e) && /owned by uid 65534/.test((e as Error).message),
    );
    const open = join(base, 'open');
    mkdirSync(open);
    chmodSync(open, 0o755);
    await assert.rejects(
      new Nursery({ log: false, registryDir: open }).spawn({ mode: 'daemon', command: 'true' }),
      (e: unknown) => refused(e) && /mode is 755/.test((e as Error).message),
    );
  },
);

test(
  'a truncated entry, a file of junk and a symlinked entry are ' +
    'skipped with a warning; the real daemon is still listed',
  async () => {
    const dir = join(base, 'mixed');
    const n = new Nursery({ subreaper: true, log: false, registryDir: dir });
    const d = await n.spawn({ mode: 'daemon', command: 'sleep', args: ['1000'] });
    writeFileSync(join(dir, 'd-aaaaaaaaaaaa.json'), '{"version":1,"id":"d-aaaaaaaaaaaa","pid":12', { mode: 0o600 });
    writeFileSync(join(dir, 'junk.bin'), Buffer.from([0, 1, 2, 255]), { mode: 0o600 });
    writeFileSync(join(dir, 'd-bbbbbbbbbbbb.json'), JSON.stringify({ version: 1, id: 'd-cccccccccccc' }), {
      mode: 0o600,
    });
    symlinkSync(join(dir, `${d.id}.json`), join(dir, 'd-dddddddddddd.json'));
    const before = warnings.length;
    const listed = n.daemons();
    assert.deepEqual(
      listed.map((x) => x.id),
      [d.id],
    );
    await new Promise((r) => setImmediate(r));
    assert.ok(
      warnings.length > before || warnings.some((w) => w.startsWith('NURSERY_REGISTRY_SKIPPED')),
      'skipping is said (once per process)',
    );
    assert.ok(readdirSync(dir).includes('junk.bin'), 'a foreign file is left alone, not deleted');
    await d.stop();
    assert.ok(!alive(d.pid));
    await n.close();
  },
);

test('the test file leaves no child or zombie behind', async () => {
  await nursery.close();
  await stopDaemonsUnder(base);
  await assertNoLeftovers();
});
