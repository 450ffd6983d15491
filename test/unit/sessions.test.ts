import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from 'commander';
import { parseProtocolVersion, PROTOCOL_VERSIONS } from '../../src/cli/protocol-version.js';
import { SessionLeakTally, sessionChurnClass } from '../../src/scenarios/sessions.js';

test('leak tally: sessions accepted before the first refusal include those started before it', () => {
  const tally = new SessionLeakTally(undefined);
  assert.match(tally.describe(), /opens sessions and never ends them/);
  tally.onAccepted(tally.open);
  const startedBefore = tally.open; // an attempt in flight while another is refused
  tally.onRefused();
  tally.onAccepted(startedBefore);
  tally.onAccepted(tally.open); // started after the refusal (e.g. a session expired meanwhile)
  tally.onRefused();
  assert.equal(tally.acceptedBeforeRefusal, 2);
  assert.match(tally.describe(), /accepted 2 sessions before refusing or failing one \(3 accepted and 2 refused in all/);
  assert.match(tally.describe(), /not measured \(give --server-pid/);
  assert.equal(tally.rssPerSessionBytes, undefined);
});

test('leak tally: RSS per session of a known process (this one)', () => {
  const tally = new SessionLeakTally(process.pid);
  tally.onAccepted(true);
  assert.equal(typeof tally.rssPerSessionBytes, process.platform === 'linux' ? 'number' : 'undefined');
  assert.match(tally.describe(), /accepted all 1 sessions opened/);
});

test('churn class: K must be a whole number', () => {
  assert.throws(() => sessionChurnClass({ callsPerSession: -1 }), /whole number/);
  assert.equal(sessionChurnClass({ callsPerSession: 0 }).name, 'SessionChurn');
});

test('protocol versions: the five revisions pass, anything else is a usage error', () => {
  for (const v of PROTOCOL_VERSIONS) assert.equal(parseProtocolVersion(v), v);
  assert.deepEqual([...PROTOCOL_VERSIONS], ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25', '2026-07-28']);
  for (const bad of ['', '2025-11-26', '2026-07-29', 'newest']) assert.throws(() => parseProtocolVersion(bad), InvalidArgumentError);
  // latest: negotiated, as when the flag is left out
  assert.equal(parseProtocolVersion('latest'), 'latest');
});
