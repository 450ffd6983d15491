/**
 * The scenario the pods run, mounted from the ConfigMap this kustomization
 * generates (/scenario/scenario.ts). Replace it with your own: one file, no
 * relative imports (only 'mcpload' resolves in the pod). `mcpload init
 * --host URL` writes one built from your server's own tools.
 */
import { between, defineScenario, type Task, type VirtualUser } from 'mcpload';

/** Opens the user's MCP session again if the server dropped it; false when it cannot. */
async function session(user: VirtualUser): Promise<boolean> {
  return user.mcp.initialized || user.mcp.initialize();
}

const listTools: Task = {
  name: 'list tools',
  run: async (user) => {
    if (!(await session(user))) return;
    await user.mcp.listTools({
      validate: (result) => (Array.isArray(result?.tools) ? undefined : 'tools/list has no tools array'),
    });
  },
};

export default defineScenario({
  name: 'kubernetes-starter',
  thresholds: ['error_rate<0.01', 'p(95)<500'],
  userClasses: [
    {
      name: 'McpUser',
      wait: between(1, 2),
      onStart: async (user) => {
        await session(user);
      },
      onStop: async (user) => {
        await user.mcp.close();
      },
      tasks: [listTools],
    },
  ],
});
