/**
 * The seam between an MCP client and whatever gives it credentials (OAuth
 * 2.1 in transports/oauth/, a token file): the client asks for the
 * Authorization header before each request and reports a 401 or 403, and
 * never sees how the token was obtained.
 */
export interface RequestAuthorizer {
  /**
   * The Authorization header value for the next request, or undefined to
   * send none yet. May first renew a token that is about to expire.
   */
  authorization(): Promise<string | undefined>;
  /**
   * A request was answered 401 or 403 with this WWW-Authenticate header (if
   * any). Resolves true when new credentials were obtained and the request
   * is worth sending again; false when it is not (no challenge to answer,
   * retries used up, the authorization failed: that was recorded already).
   */
  challenged(status: number, wwwAuthenticate: string | undefined): Promise<boolean>;
}

/** The statuses that call for `challenged`. */
export function isAuthChallenge(status: number): boolean {
  return status === 401 || status === 403;
}
