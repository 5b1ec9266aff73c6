// The default redaction of command lines (issue 12): values of secret-looking flags and NAME=value
// words are hidden, inside a shell script too; everything else is shown as it is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyRedactor, looksSecret, redactArgv } from '../../src/observe/debug/redact.js';
import { assertNoLeftovers } from '../helpers/proc.js';

test('flag values: --token x, --password=x, -secret x, --api-key x, --clientSecret x', () => {
  assert.deepEqual(
    redactArgv(['cli', '--token', 'abc', '--password=pw', '-secret', 's', '--api-key', 'k', '--clientSecret', 'c']),
    ['cli', '--token', '***', '--password=***', '-secret', '***', '--api-key', '***', '--clientSecret', '***'],
  );
  assert.deepEqual(redactArgv(['cli', '--key', '--verbose']), ['cli', '--key', '--verbose'], 'a flag is not a value');
  assert.deepEqual(redactArgv(['cli', '--port', '80', '--keyboard', 'us']), [
    'cli',
    '--port',
    '80',
    '--keyboard',
    'us',
  ]);
});

test('NAME=value words whose name looks secret, and URL passwords', () => {
  assert.deepEqual(redactArgv(['env', 'GITHUB_TOKEN=ghp_x', 'AWS_SECRET_ACCESS_KEY=y', 'PATH=/bin', 'EMPTY_KEY=']), [
    'env',
    'GITHUB_TOKEN=***',
    'AWS_SECRET_ACCESS_KEY=***',
    'PATH=/bin',
    'EMPTY_KEY=',
  ]);
  assert.deepEqual(redactArgv(['git', 'clone', 'https://me:pat123@host/repo.git']), [
    'git',
    'clone',
    'https://me:***@host/repo.git',
  ]);
});

test('inside a shell script, word by word', () => {
  assert.deepEqual(redactArgv(['sh', '-c', 'deploy --token abc && DB_PASSWORD=x run']), [
    'sh',
    '-c',
    'deploy --token *** && DB_PASSWORD=*** run',
  ]);
});

test('looksSecret splits words at -, _, . and camelCase', () => {
  for (const yes of ['token', 'api-key', 'DB_PASSWORD', 'clientSecret', 'auth.token', 'PRIVATE_KEY'])
    assert.ok(looksSecret(yes), yes);
  for (const no of ['port', 'keyboard', 'monkey', 'tokenizer', 'verbose', 'PATH']) assert.ok(!looksSecret(no), no);
});

test('a hook that throws or returns junk hides the arguments', () => {
  assert.deepEqual(
    applyRedactor(() => {
      throw new Error('x');
    }, ['cmd', 'a']),
    ['cmd', '***'],
  );
  assert.deepEqual(
    applyRedactor(() => 'nope' as never, ['cmd', 'a']),
    ['cmd', '***'],
  );
});

test('the test file leaves no child or zombie behind', async () => {
  await assertNoLeftovers();
});
