/**
 * Entry point of the `latch` CLI (`bin/latch.js` loads this through tsx). The commands live in
 * `program.ts`; they call the same flows as the admin API (`shared/flows/admin-users.ts`).
 */
import { runCli } from './program.js';

const code = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
// Exit once stdout is flushed: open sockets of the AWS clients must not keep the process alive.
process.stdout.write('', () => process.exit(code));
