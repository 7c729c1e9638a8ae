import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { CliError } from '../../shared/cli/errors.js';
import { readPassword } from '../../shared/cli/prompt.js';

/** A fake terminal: what the user types goes into `stdin`, what they would see comes out of `stderr`. */
function terminal() {
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  const stderr = new PassThrough();
  let seen = '';
  stderr.on('data', (chunk) => {
    seen += chunk;
  });
  return { io: { stdin, stderr }, stdin, seen: () => seen };
}

test('at a terminal the password is asked twice and never echoed', async () => {
  const t = terminal();
  const answer = readPassword(t.io);
  setTimeout(() => t.stdin.write('s3cret passphrase\r'), 20);
  setTimeout(() => t.stdin.write('s3cret passphrase\r'), 60);
  assert.equal(await answer, 's3cret passphrase');
  assert.match(t.seen(), /Password: /);
  assert.match(t.seen(), /Password \(again\): /);
  assert.ok(!t.seen().includes('s3cret'), t.seen());
});

test('at a terminal two different entries are refused', async () => {
  const t = terminal();
  const answer = readPassword(t.io);
  setTimeout(() => t.stdin.write('first passphrase\r'), 20);
  setTimeout(() => t.stdin.write('second passphrase\r'), 60);
  await assert.rejects(answer, (error: unknown) => error instanceof CliError && error.code === 'failed' && /did not match/.test(error.message));
});

test('without a terminal the first line of stdin is the password; an empty stdin is an error', async () => {
  const piped = new PassThrough();
  piped.end('from a pipe\nignored second line\n');
  assert.equal(await readPassword({ stdin: piped, stderr: new PassThrough() }), 'from a pipe');
  const empty = new PassThrough();
  empty.end();
  await assert.rejects(readPassword({ stdin: empty, stderr: new PassThrough() }), (error: unknown) => error instanceof CliError && error.code === 'failed');
});
