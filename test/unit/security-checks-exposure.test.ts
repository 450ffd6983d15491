import { describe, it } from 'node:test';
import { blockedTools, destructiveMethods, hiddenTools, sensitiveRoutes, unknownTool } from '../../src/security/checks/exposure.js';
import { assertOutcome, BLOCKED_TOOL, HIDDEN_TOOL, runAgainst } from '../helpers/fake-probe.js';

const BLOCKED = { blockedTools: ['shell_*', 'delete_all'] };

describe('exposure checks', () => {
  it('exposure.sensitive-routes: passes when every route is refused, fails on an open /admin and on a route the user blocked', async () => {
    assertOutcome(sensitiveRoutes, await runAgainst(sensitiveRoutes), 'pass', /all 8 refused with 401\/403\/404/);
    assertOutcome(sensitiveRoutes, await runAgainst(sensitiveRoutes, { flaws: ['open-admin'] }), 'fail', /1 of 8 answered other than 401\/403\/404: GET \/admin → 200/, 'security');
    assertOutcome(sensitiveRoutes, await runAgainst(sensitiveRoutes, {}, { blockedRoutes: ['/api/v1/health'] }), 'fail', /GET \/api\/v1\/health → 200/);
  });

  it('exposure.destructive-methods: passes on 405, fails when DELETE, PUT or PATCH is served', async () => {
    assertOutcome(destructiveMethods, await runAgainst(destructiveMethods), 'pass', /all 4 refused with 401\/403\/404\/405/);
    assertOutcome(destructiveMethods, await runAgainst(destructiveMethods, { flaws: ['destructive-open'] }), 'fail', /4 of 4 answered other than .*DELETE \/api\/v1\/tools\/call → 200/, 'security');
  });

  it('exposure.blocked-tools: passes when blocked tools are neither listed nor callable, fails when one is', async () => {
    assertOutcome(blockedTools, await runAgainst(blockedTools), 'skipped', /no --blocked-tools/);
    assertOutcome(blockedTools, await runAgainst(blockedTools, {}, BLOCKED), 'pass', /1 name\(s\) tried and refused/);
    assertOutcome(blockedTools, await runAgainst(blockedTools, { flaws: ['blocked-tool-served'] }, BLOCKED), 'fail', new RegExp(`listed: ${BLOCKED_TOOL}; callable: ${BLOCKED_TOOL} \\(the tool ran\\)`), 'security');
  });

  it('exposure.hidden-tools: passes when a tool only REST discovery shows cannot be called, fails when it can', async () => {
    assertOutcome(hiddenTools, await runAgainst(hiddenTools), 'pass', /1 tool\(s\) only in REST discovery, none callable/);
    assertOutcome(hiddenTools, await runAgainst(hiddenTools, { flaws: ['hidden-tool-callable'] }), 'fail', new RegExp(`callable: ${HIDDEN_TOOL} \\(the tool ran\\)`), 'security');
  });

  it('exposure.unknown-tool: passes on a JSON-RPC error; a result is a conformance finding', async () => {
    assertOutcome(unknownTool, await runAgainst(unknownTool), 'pass', /JSON-RPC error -32602/);
    assertOutcome(unknownTool, await runAgainst(unknownTool, { flaws: ['unknown-tool-result'] }), 'fail', /unknown tool answered 200 with a result/, 'conformance');
  });
});
