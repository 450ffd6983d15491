/**
 * The files `mcpload init` writes: a starter scenario (a documented example,
 * or one built from a server's own tools) and a tsconfig.json that lets an
 * editor find mcpload's types. Text only, no I/O, so that tests can read
 * what a user would get.
 */

/** How a tool listed by the server goes into the generated scenario. */
export type InitToolStatus =
  | { kind: 'active' }
  /** Left commented out, with the reason as a comment above it. */
  | { kind: 'commented'; reason: string };

export interface InitTool {
  name: string;
  description?: string;
  /** Generated from the tool's inputSchema, for the user to edit. */
  args: Record<string, unknown>;
  status: InitToolStatus;
}

export interface HostScenarioInput {
  /** The scenario's file name, for the header's run command. */
  file: string;
  /** The --host given to init, for the header's run command. */
  host: string;
  /** The MCP endpoint init spoke to. */
  mcpUrl: string;
  tools: InitTool[];
  /** What the server announced beside tools: adds list tasks for them. */
  hasResources: boolean;
  hasPrompts: boolean;
  /** Shown in the header, e.g. an ISO date; left out when empty. */
  writtenOn?: string;
}

const SCENARIO_HEADER_TAIL = ` *
 * A scenario is a set of user classes (Locust's model). Each virtual user
 * has its own MCP session (\`user.mcp\`) and an HTTP client for plain routes
 * (\`user.rest\`); it runs its onStart once, then picks one of its tasks by
 * weight, runs it, waits (\`wait\`), and so on until the run ends. Every
 * request becomes one row in the statistics (type and name), and a reply
 * that is an error (HTTP, JSON-RPC, a tool's isError, a failed \`validate\`)
 * counts as a failure.
 *
 * Thresholds use k6's syntax; a run that breaks one fails (exit 1). mcpload
 * also judges every run on its own defaults (error rate, failed checks,
 * exceptions in tasks). The whole scenario API: docs/scenarios.md in the
 * mcpload package.
 */`;

/** The scenario's name in reports: its file name without the extension. */
function scenarioName(file: string): string {
  return file.replace(/^.*[\\/]/, '').replace(/\.[cm]?ts$/, '');
}

/** A string literal for generated TypeScript: single quotes, like the rest of the file, when nothing needs escaping. */
function literal(value: string): string {
  return /^[^'\\\n\r\u2028\u2029]*$/.test(value) ? `'${value}'` : JSON.stringify(value);
}

/** A JSON value as TypeScript, indented to sit at `indent` (the first line is not indented). */
function jsonAt(value: unknown, indent: string): string {
  return JSON.stringify(value, null, 2).split('\n').join(`\n${indent}`);
}

/** Keeps generated comments on one line and out of the way of `*\/`. */
function commentText(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').replace(/\*\//g, '* /').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The starter written without --host: it runs as is against mcpload's built-in reference server. */
export function exampleScenario(file: string): string {
  return `/**
 * A starter scenario, written by \`mcpload init\`. It runs as is against the
 * reference MCP server that mcpload starts when no --host is given:
 *
 *   mcpload run ${commentText(file)} --headless -u 10 -r 2 -t 30s
 *
 * For a scenario built from your own server's tools, run
 * \`mcpload init --host https://your-server.example --file server-scenario.ts\`.
${SCENARIO_HEADER_TAIL}
import { between, defineScenario, type Task, type VirtualUser } from 'mcpload';

/** Opens the user's MCP session again if the server dropped it; false when it cannot. */
async function session(user: VirtualUser): Promise<boolean> {
  return user.mcp.initialized || user.mcp.initialize();
}

const listTools: Task = {
  name: 'list tools',
  weight: 1,
  run: async (user) => {
    if (!(await session(user))) return;
    // \`validate\` returns undefined when the reply is right, else why it is wrong.
    await user.mcp.listTools({
      validate: (result) => (Array.isArray(result?.tools) && result.tools.length > 0 ? undefined : 'the server lists no tools'),
    });
  },
};

const echo: Task = {
  name: 'echo',
  weight: 3,
  run: async (user) => {
    if (!(await session(user))) return;
    const text = \`hello from user \${user.id}\`;
    await user.mcp.callTool('echo', { text }, {
      validate: (result) => (result?.content?.[0]?.text === text ? undefined : 'echo changed the text'),
    });
  },
};

const add: Task = {
  name: 'add',
  weight: 3,
  run: async (user) => {
    if (!(await session(user))) return;
    const a = Math.floor(Math.random() * 100);
    const b = Math.floor(Math.random() * 100);
    await user.mcp.callTool('add', { a, b }, {
      validate: (result) => (result?.structuredContent?.sum === a + b ? undefined : 'add returned a wrong sum'),
    });
  },
};

const readInfo: Task = {
  name: 'read info',
  weight: 1,
  run: async (user) => {
    if (!(await session(user))) return;
    await user.mcp.readResource('mcpload://info');
  },
};

${scenarioExport(scenarioName(file), "Per request type and name too: 'type=tools/call,name=add:p(99)<200'.", 'tasks: [listTools, echo, add, readInfo]')}`;
}

/** The scenario's default export, the same in both starters: one Agent class, its thresholds explained by `thresholdNote`. */
function scenarioExport(name: string, thresholdNote: string, tasksProperty: string): string {
  return `export default defineScenario({
  name: ${literal(name)},
  // ${thresholdNote}
  thresholds: ['error_rate<0.01', 'p(95)<500'],
  userClasses: [
    {
      name: 'Agent',
      weight: 1,
      // Seconds between two tasks of one user, like Locust's between().
      wait: between(0.5, 2),
      onStart: (user) => user.mcp.initialize(),
      ${tasksProperty},
    },
  ],
});
`;
}

function toolTask(tool: InitTool): string {
  const head = tool.description ? `  // ${commentText(tool.description)}\n` : '';
  const call = `  call(${literal(tool.name)}, ${jsonAt(tool.args, '  ')}),`;
  if (tool.status.kind === 'active') return `${head}${call}\n`;
  const why = `  // Left out: ${commentText(tool.status.reason, 200)}\n`;
  const commented = call.split('\n').map((line) => `  // ${line.slice(2)}`).join('\n');
  return `${head}${why}${commented}\n`;
}

/** The starter written with --host: one task per tool of the server, with arguments to edit. */
export function hostScenario(input: HostScenarioInput): string {
  const active = input.tools.filter((t) => t.status.kind === 'active').length;
  const left = input.tools.length - active;
  const listTasks = [
    `  { name: 'tools/list', weight: 1, run: async (user) => { if (await session(user)) await user.mcp.listTools(); } },`,
    ...(input.hasResources ? [`  { name: 'resources/list', weight: 1, run: async (user) => { if (await session(user)) await user.mcp.listResources(); } },`] : []),
    ...(input.hasPrompts ? [`  { name: 'prompts/list', weight: 1, run: async (user) => { if (await session(user)) await user.mcp.listPrompts(); } },`] : []),
  ].join('\n');
  const toolLines = input.tools.length === 0
    ? '  // The server listed no tools.\n'
    : input.tools.map(toolTask).join('\n');
  return `/**
 * A load test for the MCP server at ${commentText(input.mcpUrl)}, written by \`mcpload init\`${input.writtenOn ? ` on ${input.writtenOn}` : ''}.
 * It calls the server's own tools (${active} of ${input.tools.length}${left > 0 ? `; ${left} left out, see the comments` : ''}) with
 * arguments generated from their input schemas: edit them to values that
 * mean something to your server. Run it with
 *
 *   mcpload run ${commentText(input.file)} --host ${commentText(input.host)} --headless -u 10 -r 2 -t 1m
 *
 * (add --auth-token, or the MCPLOAD_AUTH_TOKEN variable, if the server wants a bearer token).
 * Tools that change or delete data (their annotations say so, or say
 * nothing: MCP then assumes the worst) are left commented out: a load test
 * would call them thousands of times. Uncomment one only on a server you can
 * afford to change.
${SCENARIO_HEADER_TAIL}
import { between, defineScenario, type Task, type VirtualUser } from 'mcpload';

/** Opens the user's MCP session again if the server dropped it; false when it cannot. */
async function session(user: VirtualUser): Promise<boolean> {
  return user.mcp.initialized || user.mcp.initialize();
}

/**
 * One tools/call per run of the task. A reply with isError counts as a
 * failure; pass \`validate\` to check the result too, e.g.
 * \`{ validate: (result) => (result?.content?.length ? undefined : 'empty reply') }\`.
 */
function call(name: string, args: Record<string, unknown>, weight = 3): Task {
  return {
    name,
    weight,
    tags: ['tools'],
    run: async (user) => {
      if (await session(user)) await user.mcp.callTool(name, args);
    },
  };
}

const tasks: Task[] = [
${listTasks}
${toolLines}];

${scenarioExport(scenarioName(input.file), 'The run fails when 1 % of the requests fail or the 95th percentile passes 500 ms: set them to your own goals.', 'tasks')}`;
}

/**
 * The tsconfig.json beside the scenario. `typesFile` (mcpload's
 * dist/index.d.ts) is mapped with "paths" when the folder cannot resolve
 * 'mcpload' itself (a global install, or a clone elsewhere); with mcpload in
 * the folder's node_modules the package's own "types" are found.
 */
export function tsconfigJson(typesFile: string | undefined): string {
  const compilerOptions: Record<string, unknown> = {
    target: 'ES2022',
    module: 'ESNext',
    moduleResolution: 'Bundler',
    // DOM for console, fetch, URL and timers without @types/node.
    lib: ['ES2023', 'DOM'],
    strict: true,
    skipLibCheck: true,
    noEmit: true,
  };
  if (typesFile !== undefined) compilerOptions.paths = { mcpload: [typesFile.split('\\').join('/')] };
  return `${JSON.stringify({ compilerOptions, include: ['**/*.ts', '**/*.mts'], exclude: ['node_modules'] }, null, 2)}\n`;
}
