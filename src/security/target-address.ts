/**
 * Who can reach the target, judged from its address: a loopback address
 * (127.0.0.0/8, ::1, `localhost`) only this machine; anything else, the
 * network. A name is resolved, and counts as loopback only when every
 * address it resolves to is one. `0.0.0.0` and `::` are not loopback: a
 * server reached there listens on every interface.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export type Reach = 'loopback' | 'network';

/** The hostname of a URL without IPv6 brackets, lower case. */
export function bareHost(hostname: string): string {
  return hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
}

/** True for a loopback IP literal or `localhost` (RFC 6761 keeps `*.localhost` on this machine too). */
export function isLoopbackName(hostname: string): boolean {
  const host = bareHost(hostname);
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || /^::ffff:127\./.test(host) || /^0*:0*:0*:0*:0*:0*:0*:0*1$/.test(host);
  return false;
}

/** Resolves names with the system resolver; injectable for tests. */
export type Resolve = (host: string) => Promise<string[]>;

const systemResolve: Resolve = async (host) => (await lookup(host, { all: true })).map((a) => a.address);

/** Who can reach `hostname`. A name that does not resolve is judged `network` (the probe reached it somehow). */
export async function targetReach(hostname: string, resolve: Resolve = systemResolve): Promise<Reach> {
  const host = bareHost(hostname);
  if (isLoopbackName(host)) return 'loopback';
  if (isIP(host) !== 0) return 'network';
  try {
    const addresses = await resolve(host);
    return addresses.length > 0 && addresses.every(isLoopbackName) ? 'loopback' : 'network';
  } catch {
    return 'network';
  }
}
