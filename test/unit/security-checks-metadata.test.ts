import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hiddenInstructions, rugPull, toolShadowing } from '../../src/security/checks/metadata.js';
import { assertOutcome, probeAgainst, runAgainst } from '../helpers/fake-probe.js';

describe('metadata checks', () => {
  it('metadata.hidden-instructions: passes on plain descriptions, fails on a poisoned one and names it', async () => {
    assertOutcome(hiddenInstructions, await runAgainst(hiddenInstructions), 'pass', /3 tool and prompt descriptions read, nothing hidden/);
    assertOutcome(hiddenInstructions, await runAgainst(hiddenInstructions, { flaws: ['poisoned-tool'] }), 'fail', /tool "weather": an <IMPORTANT>-style tag/, 'security');
  });

  it('metadata.hidden-instructions: reads SSE replies as well as JSON ones', async () => {
    assertOutcome(hiddenInstructions, await runAgainst(hiddenInstructions, { sse: true, flaws: ['poisoned-tool'] }), 'fail', /tool "weather"/);
  });

  it('metadata.tool-shadowing: passes on distinct names, fails on names that normalise to one', async () => {
    assertOutcome(toolShadowing, await runAgainst(toolShadowing), 'pass', /2 distinct tool names/);
    assertOutcome(toolShadowing, await runAgainst(toolShadowing, { flaws: ['duplicate-tools'] }), 'fail', /tool "Echo": shadows "echo"/, 'security');
  });

  it('metadata.rug-pull: with nothing seen yet, compares two sessions', async () => {
    assertOutcome(rugPull, await runAgainst(rugPull), 'pass', /tools\/list stable/);
    assertOutcome(rugPull, await runAgainst(rugPull, { flaws: ['rug-pull'] }), 'fail', /changed between two sessions/, 'security');
  });

  it('metadata.rug-pull: compares with the first list seen in the run', async () => {
    for (const [flaws, status, reason] of [[[], 'pass', /unchanged since first seen/], [['rug-pull'], 'fail', /changed during the run/]] as const) {
      const ctx = probeAgainst({ flaws });
      await ctx.withSession(async (s) => {
        await ctx.listTools(s);
      }, () => assert.fail('no session'));
      assertOutcome(rugPull, await rugPull.run(ctx), status, reason);
    }
  });
});
