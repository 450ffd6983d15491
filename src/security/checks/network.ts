/**
 * The finding a security engineer wants first: a server that anyone on the
 * network can use without any credential. Decided from the target address
 * (target-address.ts): on loopback only this machine reaches the server, so
 * the check does not apply there; elsewhere an initialize sent with no
 * token, no extra header and no cookie must be refused.
 */
import { skip, type CheckOutcome, type SecurityCheck } from '../check.js';
import type { ProbeContext } from '../probe-context.js';
import { jsonRpcResult } from '../probe-http.js';
import { bareHost, targetReach, type Reach } from '../target-address.js';

const SPEC = 'MCP 2025-11-25 basic/transports §Security Warning ("Servers SHOULD implement proper authentication for all connections"); basic/authorization';

/**
 * The verdict for a target reached at `host`: from its reach alone on
 * loopback, else from what one credential-less initialize got (`reply`).
 */
export function judgeOpenAccess(host: string, reach: Reach, reply?: { status: number; served: boolean }): Omit<CheckOutcome, 'evidence'> {
  const { status, served } = reply ?? { status: 0, served: false };
  if (reach === 'loopback') return { status: 'skipped', reason: `${host} is a loopback address: only this machine can reach the server` };
  if (status === 0) return { status: 'error', reason: `initialize without credentials got no reply from ${host}` };
  if (status === 401 || status === 403) return { status: 'pass', reason: `${host} is reachable from the network and asks for credentials (${status})` };
  if (status === 404) return { status: 'skipped', reason: 'no MCP endpoint at this path (404)' };
  if (served) {
    return { status: 'fail', reason: `${host} is reachable from the network and served initialize without any credential (${status}): anyone who reaches it can call its tools` };
  }
  return { status: 'error', reason: `initialize without credentials answered ${status}: neither served nor asked for credentials` };
}

export const openOnNetwork: SecurityCheck = {
  id: 'auth.open-on-network',
  title: 'A server reachable from the network asks for credentials',
  category: 'auth',
  severity: 'high',
  spec: SPEC,
  cheap: true,
  async run(ctx: ProbeContext) {
    const host = bareHost(new URL(ctx.opts.mcpUrl).hostname);
    const reach = await targetReach(host);
    if (reach === 'loopback') return { ...judgeOpenAccess(host, reach), evidence: [] };
    if (ctx.opts.clientCertificate) return skip('the connection carries a client certificate (mutual TLS), which this check cannot leave out');
    // No token and none of the --header values (an API key may travel there): no credential at all.
    const ex = await ctx.send({
      method: 'POST', url: ctx.opts.mcpUrl, headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: ctx.initializeBody(),
    });
    const served = ex.res.status >= 200 && ex.res.status < 300 && jsonRpcResult(ex.res) !== undefined;
    const sid = ex.res.headers['mcp-session-id'];
    if (served && sid !== undefined) await ctx.send({ method: 'DELETE', url: ctx.opts.mcpUrl, headers: { 'mcp-session-id': sid } });
    return { ...judgeOpenAccess(host, reach, { status: ex.res.status, served }), evidence: [ex.evidence] };
  },
};
