// Scale row of `npm run bench`: every user opens an MCP session (initialize +
// notifications/initialized) and holds it, pinging it once every 30 s.
import { constant, defineScenario } from 'mcpload';

export default defineScenario({
  name: 'hold-sessions',
  userClasses: [{
    name: 'Holder',
    wait: constant(30),
    onStart: (user) => user.mcp.initialize(),
    tasks: [{ name: 'ping', run: (user) => user.mcp.ping() }],
  }],
});
