/**
 * A secret typed on the command line shows in `ps` (/proc/PID/cmdline) for
 * as long as the process lives. Where one was given, the process title is
 * set to the bare command: on Linux this overwrites the arguments seen
 * there. No imports: relaunch.ts, loaded first, uses it too.
 */
const SECRET_FLAGS = ['--oauth-client-secret', '--oauth-assertion', '--oauth-id-token', '--auth-token', '--auth-token-b', '--master-token'];

export function hideSecretArguments(argv: readonly string[] = process.argv): void {
  if (!argv.some((a) => SECRET_FLAGS.some((f) => a === f || a.startsWith(`${f}=`)))) return;
  const command = argv.slice(2).find((a) => !a.startsWith('-')) ?? '';
  process.title = `mcpload ${command}`.trim();
}
