// `nursery up`'s files (issue 14): a Procfile, JSON and YAML mapped to group specs, the default
// file's choice, and every bad file refused with a message naming the file and the line (Procfile,
// syntax errors) or the field path (services.web.restart), before anything could start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../src/cli/up/config-error.js';
import { findConfig, loadConfig } from '../../../src/cli/up/config.js';
import { parseProcfile } from '../../../src/cli/up/procfile.js';
import { assertNoLeftovers } from '../../helpers/proc.js';

const dir = mkdtempSync(join(tmpdir(), 'nursery-up-config-'));
const write = (name: string, text: string): string => {
  writeFileSync(join(dir, name), text);
  return name;
};
const load = (name: string, text: string) => loadConfig(write(name, text), { cwd: dir });

async function refused(name: string, text: string, message: RegExp): Promise<ConfigError> {
  let caught: unknown;
  await load(name, text).catch((e: unknown) => (caught = e));
  assert.ok(caught instanceof ConfigError, `${name} was accepted: ${text}`);
  assert.equal(caught.code, 'ERR_NURSERY_BAD_CONFIG');
  assert.match(caught.message, message);
  assert.ok(caught.message.startsWith(`${name}: `), caught.message);
  return caught;
}

test('a Procfile: name: command lines, comments and blank lines skipped, each run by /bin/sh -c', () => {
  const specs = parseProcfile(
    '# the app\n\nweb: node server.js --port $PORT\r\nworker:bin/work && echo done\n',
    'Procfile',
  );
  assert.deepEqual(specs, {
    web: { command: '/bin/sh', args: ['-c', 'node server.js --port $PORT'] },
    worker: { command: '/bin/sh', args: ['-c', 'bin/work && echo done'] },
  });
});

test('a bad Procfile line is named by its number', async () => {
  const e = await refused(
    'Procfile',
    'web: ok\n\nthis is not a service\n',
    /^Procfile: line 3: expected "name: command"/,
  );
  assert.equal(e.line, 3);
  await refused('Procfile', 'web: a\nweb: b\n', /line 2: service "web" is already defined on line 1/);
  await refused('Procfile', 'web:\n', /line 1: service "web" has no command/);
  await refused('Procfile', 'we b: x\n', /line 1: "we b" is not a service name/);
  await refused('Procfile', '# nothing\n', /no service in it/);
});

test('JSON maps to group specs: a command without args is a shell line, logLine a RegExp', async () => {
  const { file, services } = await load(
    'nursery.json',
    JSON.stringify({
      services: {
        db: { command: 'postgres', args: ['-D', '/data'], ready: { logLine: 'ready to accept', timeoutMs: 5000 } },
        web: {
          command: 'npm start',
          restart: 'always',
          dependsOn: { db: 'ready' },
          health: { probe: { http: 'http://127.0.0.1:3000/' }, intervalMs: 1000 },
          backoff: { initialMs: 50 },
          env: { PORT: '3000' },
        },
      },
    }),
  );
  assert.equal(file, 'nursery.json');
  assert.deepEqual(services['db']?.args, ['-D', '/data']);
  const ready = services['db']?.ready as { logLine: RegExp; timeoutMs: number };
  assert.ok(ready.logLine instanceof RegExp && ready.logLine.test('db: ready to accept connections'));
  assert.equal(ready.timeoutMs, 5000);
  assert.deepEqual(services['web'], {
    command: '/bin/sh',
    args: ['-c', 'npm start'],
    restart: 'always',
    dependsOn: { db: 'ready' },
    health: { probe: { http: 'http://127.0.0.1:3000/' }, intervalMs: 1000 },
    backoff: { initialMs: 50 },
    env: { PORT: '3000' },
  });
});

test('a bad JSON field is named by its path', async () => {
  const json = (services: unknown): string => JSON.stringify({ services });
  const e = await refused(
    'nursery.json',
    json({ web: { command: 'x', restart: 'sometimes' } }),
    /services\.web\.restart: must be "always", "on-failure" or "never" \(got "sometimes"\)/,
  );
  assert.equal(e.field, 'services.web.restart');
  await refused('nursery.json', json({ web: { args: [] } }), /services\.web\.command: must be a non-empty string/);
  await refused(
    'nursery.json',
    json({ web: { command: 'x', args: ['a', 2] } }),
    /services\.web\.args\[1\]: must be a string/,
  );
  await refused(
    'nursery.json',
    json({ web: { command: 'x', restrat: 'always' } }),
    /services\.web\.restrat: is not a known field/,
  );
  await refused(
    'nursery.json',
    json({ web: { command: 'x', ready: { logLine: '(' } } }),
    /services\.web\.ready\.logLine: is not a regular/,
  );
  await refused(
    'nursery.json',
    json({ web: { command: 'x', ready: { tcp: 1, http: 'h' } } }),
    /services\.web\.ready: must have exactly one/,
  );
  await refused(
    'nursery.json',
    json({ web: { command: 'x', health: { probe: { logLine: 'x' } } } }),
    /services\.web\.health\.probe\.logLine/,
  );
  await refused(
    'nursery.json',
    json({ web: { command: 'x', dependsOn: { db: 'up' } } }),
    /services\.web\.dependsOn\.db: must be "started"/,
  );
  await refused(
    'nursery.json',
    json({ web: { command: 'x', dependsOn: { db: 'ready' } } }),
    /services\.web\.dependsOn\.db: Service "web" depends on "db"/,
  );
  await refused(
    'nursery.json',
    json({ a: { command: 'x', dependsOn: { b: 'started' } }, b: { command: 'x', dependsOn: { a: 'started' } } }),
    /services: Dependency cycle in the group: a -> b -> a/,
  );
  await refused('nursery.json', JSON.stringify({ service: {} }), /\(top level\)\.service: is not a known field/);
  await refused('nursery.json', json({}), /services: has no service/);
});

test('a JSON syntax error is named by its line', async () => {
  const e = await refused(
    'nursery.json',
    '{\n  "services": {\n    "web": { "command": "x", }\n  }\n}\n',
    /line 3: not valid JSON/,
  );
  assert.equal(e.line, 3);
});

test('YAML: the same schema, its syntax errors by line, and a clear message without the yaml package', async () => {
  const { services } = await load(
    'nursery.yaml',
    [
      'services:',
      '  web:',
      '    command: npm start',
      '    dependsOn: { db: started }',
      '  db:',
      '    command: postgres',
    ]
      .concat('    args: [-D, /data]\n')
      .join('\n'),
  );
  assert.deepEqual(Object.keys(services), ['web', 'db']);
  await refused(
    'nursery.yml',
    'services:\n  web:\n    command: x\n    graceMs: soon\n',
    /services\.web\.graceMs: must be a number >= 0 \(got "soon"\)/,
  );
  const e = await refused('nursery.yaml', 'services:\n  web:\n    command: [x\n', /line \d+: not valid YAML/);
  assert.ok((e.line ?? 0) >= 3);
  const missing = () =>
    Promise.reject(Object.assign(new Error("Cannot find package 'yaml'"), { code: 'ERR_MODULE_NOT_FOUND' }));
  await assert.rejects(
    loadConfig(write('x.yaml', 'services: {}\n'), { cwd: dir, importYaml: missing }),
    /x\.yaml: reading YAML needs the yaml package, which is not installed: npm i yaml/,
  );
});

test('the default file: Procfile, else nursery.json, nursery.yaml, nursery.yml', () => {
  const d = mkdtempSync(join(tmpdir(), 'nursery-up-find-'));
  try {
    assert.equal(findConfig(undefined, d), null);
    writeFileSync(join(d, 'nursery.yml'), '');
    assert.equal(findConfig(undefined, d), 'nursery.yml');
    writeFileSync(join(d, 'nursery.json'), '');
    assert.equal(findConfig(undefined, d), 'nursery.json');
    writeFileSync(join(d, 'Procfile'), '');
    assert.equal(findConfig(undefined, d), 'Procfile');
    assert.equal(findConfig('other.json', d), 'other.json');
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('a file that cannot be read, or of an unknown kind', async () => {
  await assert.rejects(loadConfig('nope.json', { cwd: dir }), /^ConfigError: nope\.json: cannot be read \(ENOENT\)/);
  await refused('services.toml', 'x', /unknown kind of file/);
});

test('no leftovers', async () => {
  rmSync(dir, { recursive: true, force: true });
  await assertNoLeftovers();
});
