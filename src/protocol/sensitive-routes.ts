/**
 * What must stay closed on a server with the classic REST face. The reference
 * server's route guard denies these, and the classic suite's security tasks
 * try them and expect a refusal. One list, so the two never drift apart.
 */

export interface DenyRule {
  /** Path prefix (matched on the path without the query string); `*` matches any path. */
  path: string;
  /** Methods the rule applies to; absent means every method. */
  methods?: string[];
  /** Why the route is closed, shown in logs and reports. */
  reason: string;
}

/** Statuses that count as "refused" for a security probe. */
export const REFUSED_STATUSES: readonly number[] = [401, 403, 404];

/** Methods that change or remove things: DELETE, PUT, PATCH. */
export const DESTRUCTIVE_METHODS: readonly string[] = ['DELETE', 'PUT', 'PATCH'];

/**
 * For a destructive method, 405 Method Not Allowed is a refusal too: the
 * route exists, but not for this method (FastAPI answers `DELETE
 * /api/v1/tools/call` so). For a GET or POST a 405 would say the route is
 * there for other reads, which the plain list does not accept.
 */
export const DESTRUCTIVE_REFUSED_STATUSES: readonly number[] = [401, 403, 404, 405];

/** The statuses that count as "refused" for `method`. */
export function refusedStatusesFor(method: string): readonly number[] {
  return DESTRUCTIVE_METHODS.includes(method.toUpperCase()) ? DESTRUCTIVE_REFUSED_STATUSES : REFUSED_STATUSES;
}

export const DEFAULT_DENY_RULES: readonly DenyRule[] = [
  { path: '/api/v1/login', reason: 'login endpoints are not served by an MCP server' },
  { path: '/auth', reason: 'auth endpoints are not served by an MCP server' },
  { path: '/users', reason: 'user management is not exposed' },
  { path: '/api/v1/users', reason: 'user management is not exposed' },
  { path: '/signup', reason: 'sign-up is not exposed' },
  { path: '/admin', reason: 'admin routes are not exposed' },
  { path: '/api/v1/admin', reason: 'admin routes are not exposed' },
  { path: '/debug', reason: 'debug routes are not exposed' },
  { path: '/api/v1/debug', reason: 'debug routes are not exposed' },
  { path: '*', methods: ['DELETE', 'PUT', 'PATCH'], reason: 'destructive methods are not allowed' },
];

/** The one exception to the destructive-method rule: DELETE on the MCP endpoint ends a session. */
export const SESSION_END_ROUTE = { method: 'DELETE', path: '/mcp' } as const;

/** The requests the classic suite tries; each must be refused. */
export interface SecurityProbeRequest {
  method: string;
  path: string;
  body?: unknown;
}

export const SECURITY_PROBES: readonly SecurityProbeRequest[] = [
  { method: 'POST', path: '/api/v1/login/access-token', body: { username: 'admin', password: 'admin' } },
  { method: 'GET', path: '/api/v1/login' },
  { method: 'GET', path: '/auth/login' },
  { method: 'GET', path: '/users' },
  { method: 'GET', path: '/api/v1/users/' },
  { method: 'POST', path: '/signup', body: { email: 'probe@example.invalid', password: 'x' } },
  { method: 'GET', path: '/admin' },
  { method: 'GET', path: '/debug' },
  { method: 'DELETE', path: '/api/v1/tools/call' },
  { method: 'PUT', path: '/api/v1/tools/call', body: {} },
  { method: 'PATCH', path: '/api/v1/mcp/status', body: {} },
  { method: 'DELETE', path: '/api/v1/resources/info' },
];

/** Whether a rule list denies `method path`. Shared by the server guard and tests. */
export function matchDenyRule(rules: readonly DenyRule[], method: string, path: string): DenyRule | undefined {
  const m = method.toUpperCase();
  if (m === SESSION_END_ROUTE.method && path === SESSION_END_ROUTE.path) return undefined;
  for (const rule of rules) {
    if (rule.methods && !rule.methods.includes(m)) continue;
    // `/admin` closes `/admin`, `/admin/x` and `/admin-legacy`: the issue's `/admin...`
    if (rule.path === '*' || path.startsWith(rule.path)) return rule;
  }
  return undefined;
}
