/** The dialect a client speaks, picked once from the protocol version it starts with. */
import { isStatelessRevision } from '../protocol/rev-2026-07-28.js';
import { Rev20260728Dialect } from './rev-2026-07-28-dialect.js';
import { SessionDialect } from './session-dialect.js';
import type { DialectSetup, WireDialect } from './wire-dialect.js';

export function dialectFor(setup: DialectSetup): WireDialect {
  return isStatelessRevision(setup.version) ? new Rev20260728Dialect(setup) : new SessionDialect(setup);
}
