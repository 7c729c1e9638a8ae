import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { CliError } from './errors.js';

/** What the prompt reads from and writes to (the process's streams, or a test's). */
export interface PromptIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
}

/** The first line of a non-interactive stdin (e.g. `echo "$PW" | latch users set-password …`). */
function readLine(stdin: NodeJS.ReadableStream): Promise<string | undefined> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: stdin, terminal: false });
    let done = false;
    rl.once('line', (line) => {
      done = true;
      rl.close();
      resolve(line);
    });
    rl.once('close', () => {
      if (!done) resolve(undefined);
    });
  });
}

/** One line typed at a terminal without echo. */
function askHidden(io: PromptIo, question: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, callback) {
      if (!muted) io.stderr.write(chunk);
      callback();
    },
  });
  const rl = createInterface({ input: io.stdin, output, terminal: true });
  return new Promise((resolve, reject) => {
    rl.question(question, (answer) => {
      rl.close();
      io.stderr.write('\n');
      resolve(answer);
    });
    muted = true;
    rl.once('SIGINT', () => {
      rl.close();
      io.stderr.write('\n');
      reject(new CliError('Cancelled.'));
    });
  });
}

/**
 * Reads a password that was not given on the command line (where it would land in the shell's
 * history and the process list): typed without echo, twice, at a terminal; otherwise the first
 * line of standard input, so scripts and tests can pipe it in.
 */
export async function readPassword(io: PromptIo, label = 'Password'): Promise<string> {
  if (!io.stdin.isTTY) {
    const line = await readLine(io.stdin);
    if (line === undefined) throw new CliError('No password given: pass --password, type it at a terminal, or pipe it on standard input.');
    return line;
  }
  const first = await askHidden(io, `${label}: `);
  const second = await askHidden(io, `${label} (again): `);
  if (first !== second) throw new CliError('The two passwords did not match.');
  return first;
}

/** One line typed at a terminal, with echo. */
function ask(io: PromptIo, question: string): Promise<string> {
  const rl = createInterface({ input: io.stdin, output: io.stderr, terminal: true });
  return new Promise((resolve, reject) => {
    rl.question(question, (answer) => {
      rl.close();
      resolve(answer);
    });
    rl.once('SIGINT', () => {
      rl.close();
      io.stderr.write('\n');
      reject(new CliError('Cancelled.'));
    });
  });
}

/**
 * Asks a yes/no question at a terminal (only `y` or `yes` is a yes). Without a terminal there is
 * nobody to ask: it refuses with a usage error (exit 2) telling how to say yes up front
 * (`skip`, e.g. `--yes`), so a script never deletes by accident or hangs on a prompt.
 */
export async function confirm(io: PromptIo, question: string, skip: string): Promise<boolean> {
  if (!io.stdin.isTTY) throw new CliError(`Not asking for confirmation: standard input is not a terminal. Pass ${skip} to go ahead.`, 2);
  const answer = await ask(io, `${question} [y/N] `);
  return /^(y|yes)$/i.test(answer.trim());
}
