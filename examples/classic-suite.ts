/**
 * The classic suite: mcpload's built-in scenario, written the way you would
 * write your own. Copy it, change it, run it with
 *
 *   npx mcpload run examples/classic-suite.ts --headless -u 20 -r 5 -t 30s
 *
 * Three user classes share the load (weights 1:3:1). Each virtual user opens
 * its own MCP session in onStart and DELETEs it when it stops. Every task
 * checks its answer, and the security tasks try routes and methods that must
 * stay closed: any 2xx there is a failure of type SECURITY. A server with
 * only the REST face (its /mcp answers 404) gets the REST and security tasks
 * alone, and one note saying so; one with only /mcp gets no REST tasks.
 */
import {
  between,
  defineScenario,
  RestClient,
  SECURITY_PROBES,
  type ScenarioEnv,
  type Task,
  type VirtualUser,
} from 'mcpload';

const STATUS = '/api/v1/mcp/status';
const HEALTH = '/api/v1/mcp/health';

function randomInt(max: number): number {
  return Math.floor(Math.random() * max);
}

/** Re-opens the session when the server dropped it (404 on a known session). */
async function session(user: VirtualUser): Promise<boolean> {
  return user.mcp.initialized || user.mcp.initialize();
}

function sumCheck(a: number, b: number) {
  return (result: any): string | undefined => {
    const sum = result?.structuredContent?.sum ?? Number(result?.content?.[0]?.text);
    return sum === a + b ? undefined : 'add returned a wrong sum';
  };
}

// --- the classic REST face -------------------------------------------------

const restStatus: Task = {
  name: 'rest status', tags: ['rest'],
  run: (user) => user.rest.get(STATUS, {
    validate: (json) => (typeof json?.name === 'string' ? undefined : 'status has no server name'),
  }),
};

const restHealth: Task = {
  name: 'rest health', tags: ['rest'],
  run: (user) => user.rest.get(HEALTH, {
    validate: (json) => (json?.status === 'ok' ? undefined : 'health is not ok'),
  }),
};

const restRootHealth: Task = {
  name: 'rest root health', tags: ['rest'],
  run: (user) => user.rest.get('/api/v1/health'),
};

const restDiscovery: Task = {
  name: 'rest discovery', tags: ['rest'],
  run: (user) => user.rest.get('/api/v1/mcp/discovery', {
    validate: (json) => (Array.isArray(json?.tools) && json.tools.length > 0 ? undefined : 'discovery lists no tools'),
  }),
};

const restToolCall: Task = {
  name: 'rest tools/call add', tags: ['rest'],
  run: (user) => {
    const a = randomInt(1000);
    const b = randomInt(1000);
    return user.rest.post('/api/v1/tools/call', { name: 'add', arguments: { a, b } }, { validate: sumCheck(a, b) });
  },
};

const restResource: Task = {
  name: 'rest resource', tags: ['rest'],
  run: (user) => user.rest.get('/api/v1/resources/info'),
};

// --- MCP over Streamable HTTP ----------------------------------------------

const mcpListTools: Task = {
  name: 'mcp tools/list', tags: ['mcp'],
  run: async (user) => {
    if (!(await session(user))) return;
    await user.mcp.request('tools/list', {}, {
      validate: (result) => (result?.tools?.some((t: { name?: string }) => t.name === 'add') ? undefined : 'tools/list has no add tool'),
    });
  },
};

const mcpCallAdd: Task = {
  name: 'mcp tools/call add', tags: ['mcp'],
  run: async (user) => {
    if (!(await session(user))) return;
    const a = randomInt(1000);
    const b = randomInt(1000);
    await user.mcp.callTool('add', { a, b }, { validate: sumCheck(a, b) });
  },
};

const mcpListResources: Task = {
  name: 'mcp resources/list', tags: ['mcp'],
  run: async (user) => {
    if (!(await session(user))) return;
    const listed = await user.mcp.listResources();
    if (listed.ok) user.data.resourceUri = listed.result?.resources?.[0]?.uri;
  },
};

const mcpReadResource: Task = {
  name: 'mcp resources/read', tags: ['mcp'],
  run: async (user) => {
    if (!(await session(user))) return;
    let uri = user.data.resourceUri as string | undefined;
    if (!uri) {
      const listed = await user.mcp.listResources();
      uri = listed.ok ? listed.result?.resources?.[0]?.uri : undefined;
      user.data.resourceUri = uri;
    }
    if (uri) await user.mcp.readResource(uri);
  },
};

const mcpListPrompts: Task = {
  name: 'mcp prompts/list', tags: ['mcp'],
  run: async (user) => {
    if (!(await session(user))) return;
    await user.mcp.listPrompts();
  },
};

// --- security: what must stay closed ----------------------------------------

function probe(user: VirtualUser, index: number) {
  const p = SECURITY_PROBES[index % SECURITY_PROBES.length]!;
  return user.rest.request(p.method, p.path, { body: p.body, securityProbe: true });
}

const securityProbe: Task = {
  name: 'security probe', tags: ['security'],
  run: (user) => probe(user, randomInt(SECURITY_PROBES.length)),
};

// --- user classes -------------------------------------------------------------

const all = (tasks: Array<[Task, number]>): Task[] => tasks.map(([t, weight]) => ({ ...t, weight }));

async function openSession(user: VirtualUser): Promise<void> {
  await user.mcp.initialize();
}

/**
 * Whether nothing answers MCP at the endpoint: a 404 to a POSTed
 * notification. A notification opens no session, so a real MCP server
 * answers 202, 400 or 406 and has nothing to clean up afterwards.
 */
async function mcpEndpointMissing(env: ScenarioEnv, detect: RestClient): Promise<boolean> {
  if (env.mcpConnector !== undefined) return false; // stdio or legacy SSE: MCP is there by definition
  const url = new URL(env.mcpUrl);
  const notification = { jsonrpc: '2.0', method: 'notifications/initialized' };
  return (await detect.post(url.pathname + url.search, notification)).status === 404;
}

export default defineScenario(async (env: ScenarioEnv) => {
  // Against a server that has only /mcp, the REST tasks are left out;
  // against one that has only the REST face (404 at /mcp), the MCP tasks are.
  // A target silent past --connect-timeout leaves both faces in (status 0 is no 404): the run shows what answers.
  const detect = new RestClient({
    baseUrl: env.restBaseUrl, recorder: env.silentRecorder, dispatcher: env.dispatcher, headers: env.headers, timeoutMs: env.timeoutMs, signal: env.startupSignal,
  });
  const status = await detect.get(STATUS);
  const restFace = status.status !== 404;
  const mcpFace = !(await mcpEndpointMissing(env, detect));
  const left = [...(restFace ? [] : ['rest']), ...(mcpFace ? [] : ['mcp'])];
  const keep = (tasks: Task[]) => tasks.filter((t) => !t.tags?.some((tag) => left.includes(tag)));
  const start = mcpFace ? openSession : undefined;
  const mcpPath = new URL(env.mcpUrl).pathname;
  const notes = mcpFace ? [] : [
    `${mcpPath} answered 404, so there is no MCP endpoint there: the MCP tasks (tools, resources, prompts over MCP) were left out ` +
    'of every user class and this run covers the REST face and the security checks only; if the server speaks MCP at another path, ' +
    'point at it with --host http://HOST:PORT/path/to/mcp',
  ];

  return {
    name: 'classic',
    description: !mcpFace ? 'REST face + security checks (no MCP endpoint found)' : restFace ? 'REST face + MCP + security checks' : 'MCP + security checks (no REST face found)',
    notes,
    thresholds: ['avg<200', 'p(95)<500', 'error_rate<0.01', `name=${STATUS}:avg<50`, `name=${HEALTH}:avg<50`],
    userClasses: [
      {
        name: 'MCPServerUser',
        weight: 1,
        wait: between(1, 3),
        // Like a real agent, it first looks around (lists what the server offers),
        // then tries every must-stay-closed route once, so each has its row.
        onStart: async (user) => {
          await start?.(user);
          for (const t of keep([mcpListTools, mcpListResources, mcpListPrompts, restStatus, restDiscovery])) await t.run(user);
          for (let i = 0; i < SECURITY_PROBES.length; i++) await probe(user, i);
        },
        tasks: keep(all([
          [restStatus, 1], [restHealth, 1], [restRootHealth, 1], [restDiscovery, 1], [restToolCall, 1], [restResource, 1],
          [mcpListTools, 1], [mcpCallAdd, 1], [mcpListResources, 1], [mcpReadResource, 1], [mcpListPrompts, 1],
          [securityProbe, 1],
        ])),
      },
      {
        name: 'MCPLightLoad',
        weight: 3,
        wait: between(2, 5),
        onStart: start,
        tasks: keep(all([
          [restStatus, 3], [restHealth, 3], [mcpListTools, 2], [restDiscovery, 1], [restRootHealth, 1], [mcpListPrompts, 1],
          [securityProbe, 1],
        ])),
      },
      {
        name: 'MCPHeavyLoad',
        weight: 1,
        wait: between(0.5, 1.5),
        onStart: start,
        tasks: keep(all([
          [mcpCallAdd, 5], [restToolCall, 3], [mcpReadResource, 2], [restDiscovery, 1], [mcpListTools, 1],
          [mcpListPrompts, 1], [restResource, 1], [securityProbe, 1],
        ])),
      },
    ],
  };
});
