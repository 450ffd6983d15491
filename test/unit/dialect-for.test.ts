import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dialectFor } from '../../src/transports/dialect-for.js';
import { Rev20260728Dialect } from '../../src/transports/rev-2026-07-28-dialect.js';
import { SessionDialect } from '../../src/transports/session-dialect.js';
import { ScriptedLink } from '../helpers/scripted-link.js';

test('the dialect follows the version: 2026-07-28 is stateless, every handshake revision has sessions', () => {
  const pick = (version: string) => dialectFor({
    link: new ScriptedLink({}), version, clientInfo: { name: 'c', version: '1' }, clientCaps: {}, base: {}, endpointKey: 'k', replies: undefined,
  });
  assert.ok(pick('2026-07-28') instanceof Rev20260728Dialect);
  for (const version of ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05']) assert.ok(pick(version) instanceof SessionDialect, version);
});
