import { Resolver } from "node:dns/promises";
import type { DnsResolver } from "../analyze.js";
import { dnsError, isNoRecord, normalizeName } from "./dns-error.js";

export interface SystemResolverOptions {
  /** Time one try may take before the server is asked again. @default 1500 */
  timeoutMs?: number;
  /** Tries per lookup. @default 2 */
  tries?: number;
  /** Servers as "ip" or "ip:port"; null uses the system's resolv.conf. @default null */
  servers?: string[] | null;
  /** How long answers and "no such record" results are reused. @default 60000 */
  cacheTtlMs?: number;
  /** Most cached lookups; the oldest go first. @default 5000 */
  maxEntries?: number;
}

/**
 * Real DNS with a deadline and a cache. Every lookup settles within tries × timeout (plus a
 * little slack), so a dead resolver yields ETIMEOUT → temperror and never a message stuck in
 * "pending". Negative answers are cached like positive ones (RFC 2308); temporary failures are not.
 */
export function createSystemResolver(options: SystemResolverOptions = {}): DnsResolver {
  const timeoutMs = options.timeoutMs ?? 1500;
  const tries = options.tries ?? 2;
  const ttl = options.cacheTtlMs ?? 60_000;
  const maxEntries = options.maxEntries ?? 5000;
  const resolver = new Resolver({ timeout: timeoutMs, tries });
  if (options.servers?.length) resolver.setServers(options.servers);
  const cache = new Map<string, { expires: number; answer: Promise<unknown[]> }>();
  const deadlineMs = timeoutMs * tries + 250;

  const lookup = (name: string, rrtype: string): Promise<unknown[]> =>
    new Promise((resolve, reject) => {
      // c-ares enforces its own timeouts; this is the backstop that guarantees settlement.
      const timer = setTimeout(() => reject(dnsError("ETIMEOUT", name, rrtype)), deadlineMs);
      timer.unref();
      (resolver.resolve(name, rrtype) as Promise<unknown[]>).then(
        (records) => {
          clearTimeout(timer);
          resolve(records);
        },
        (err: unknown) => {
          clearTimeout(timer);
          // Node's resolver rejects with an Error (isNoRecord reads its `code`), passed on as is.
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });

  return (name, rrtype) => {
    const type = rrtype.toUpperCase();
    const key = `${type} ${normalizeName(name)}`;
    const now = Date.now();
    const hit = cache.get(key);
    if (hit && hit.expires > now) return hit.answer.then((records) => [...records]);
    if (hit) cache.delete(key);
    const answer = lookup(name, type);
    cache.set(key, { expires: now + ttl, answer });
    if (cache.size > maxEntries) cache.delete(cache.keys().next().value as string);
    // Temporary failures must be retried by the next message, not remembered.
    answer.catch((err: unknown) => {
      if (!isNoRecord(err) && cache.get(key)?.answer === answer) cache.delete(key);
    });
    return answer.then((records) => [...records]);
  };
}
