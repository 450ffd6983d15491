/**
 * docs/cli.md, rendered from the commander definitions themselves: every
 * command's --help at a fixed width. A test compares the file with this
 * rendering, so the reference cannot drift from the code.
 */
import type { Command } from 'commander';
import { buildProgram } from './program.js';

/** Fixed, so the file does not depend on the terminal it was made in. */
const HELP_WIDTH = 100;

/** The command's full --help (with the text added after it), as printed, without printing it. */
function helpOf(command: Command): string {
  let text = '';
  command.configureOutput({ writeOut: (s) => (text += s), getOutHelpWidth: () => HELP_WIDTH, getOutHasColors: () => false });
  command.configureHelp({ ...command.configureHelp(), helpWidth: HELP_WIDTH });
  command.outputHelp();
  return text.trimEnd();
}

const CONFIG_FILE_SECTION = `## The config file

\`mcpload run\` reads \`./mcpload.conf\` when the working folder has one, or the file named by
\`--config FILE\` (Locust's \`locust.conf\` habit). Every \`run\` option can be set there by its long
name without the dashes, one \`name = value\` a line (\`spawn_rate\` means \`spawn-rate\`):

\`\`\`ini
# mcpload.conf
host = https://staging.example/mcp
headless = true
users = 50
spawn-rate = 10
run-time = 2m
tags = mcp, rest
threshold = [p(95)<500, error_rate<0.01]
header = X-Team: load
header = X-Env: staging
loglevel = WARNING
\`\`\`

- Booleans are \`true\`/\`false\` (\`yes\`/\`no\`, \`on\`/\`off\`, \`1\`/\`0\`); \`#\` and \`;\` start comment
  lines; \`[section]\` lines are ignored.
- Lists: \`a, b\`, \`[a, b]\`, or the name repeated (options that take several values only).
- A file ending in \`.json\` holds the same names as one object: \`{"users": 50, "headless": true, "tags": ["mcp"]}\`;
  \`header\` may be an object there (\`{"header": {"X-Team": "load"}}\`).
- Precedence: the command line, then the environment (\`MCPLOAD_<OPTION>\`, then the legacy
  \`MCP_TEST_*\`), then the file, then the defaults.
- A name the command does not have, or a bad value, stops the run before any load with one line
  naming the file and line, and exit code 2: \`error: mcpload.conf:3: "user" is not a setting of
  mcpload run (Did you mean users?)\`. \`--loglevel DEBUG\` logs which settings came from the file.

## Exit codes

| Code | Meaning |
| ---- | ------- |
| 0 | the run passed: every rule held (yours, the scenario's, and mcpload's defaults \`error_rate<1%\`, \`checks==100%\`, \`exceptions==0\`) and every security row held; also \`--help\`, \`--version\`, \`run -l\` |
| 1 | the run failed; \`--exit-code-on-error N\` sets the code when only default rules failed (mcpload's or the scenario's) |
| 2 | bad input, before any load: an unknown option or bad value, a config file error, a scenario that does not load, a target that does not answer |`;

export const CLI_REFERENCE_FILE = 'docs/cli.md';
export const CLI_REFERENCE_COMMAND = 'npx tsc -p tsconfig.build.json && node scripts/cli-reference.mjs';

export function renderCliReference(program: Command = buildProgram()): string {
  const commands = program.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden);
  const parts = [
    '# CLI reference',
    '',
    `<!-- Generated from the commander definitions in src/cli by \`${CLI_REFERENCE_COMMAND}\`; do not edit by hand. -->`,
    '',
    'Every option can also be set in the environment as `MCPLOAD_<OPTION>` (`--spawn-rate` is',
    '`MCPLOAD_SPAWN_RATE`; `MCP_TEST_HOST`, `MCP_TEST_USERS` and `MCP_TEST_DURATION` still work), and every',
    '`run` option in a config file (`./mcpload.conf` or `--config FILE`): see [the config file](#the-config-file).',
    'What the options do beyond their one line: [running a test](running.md).',
    '',
    ...commands.map((c) => `- [\`mcpload ${c.name()}\`](#mcpload-${c.name()}): ${c.description()}`),
    '',
    '## mcpload',
    '',
    '```text',
    helpOf(program),
    '```',
  ];
  for (const command of commands) {
    parts.push('', `## mcpload ${command.name()}`, '', '```text', helpOf(command), '```');
    // Subcommands (kube render) under their command.
    for (const sub of command.commands) parts.push('', `### mcpload ${command.name()} ${sub.name()}`, '', '```text', helpOf(sub), '```');
  }
  parts.push('', CONFIG_FILE_SECTION);
  return parts.join('\n') + '\n';
}
