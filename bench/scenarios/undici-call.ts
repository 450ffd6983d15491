// The same tools/call as --bench-mode, through the general-purpose client (undici
// `request`): bench/ compares the two hot paths with it. Against the nginx target
// (fixed id 1) every call after the first counts a "wrong response id": the work
// per request is the same either way.
import { defineScenario } from 'mcpload';

export default defineScenario({
  name: 'undici-call',
  userClasses: [{
    name: 'UndiciCall',
    tasks: [{ name: 'call', run: (user) => user.mcp.request('tools/call', { name: 'add', arguments: { a: 2, b: 3 } }, { name: 'add' }) }],
  }],
});
