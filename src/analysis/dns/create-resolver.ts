import type { DnsResolver } from "../analyze.js";
import { isNoRecord } from "./dns-error.js";
import { createSystemResolver, type SystemResolverOptions } from "./system-resolver.js";
import type { DnsZone } from "./zone.js";
import { createZoneResolver } from "./zone-resolver.js";

export type DnsMode = "zone" | "system";

export interface ResolverOptions {
  /**
   * Sources in the order they are asked; a later one is asked only when an earlier one has no
   * such record. null: the zone while it holds any name, else system DNS.
   * @default null
   */
  modes?: DnsMode[] | null;
  /** @default {} */
  system?: SystemResolverOptions;
}

/** The one resolver analysis uses, over the run-time zone and/or real DNS. */
export function createResolver(zone: DnsZone, options: ResolverOptions = {}): DnsResolver {
  const fromZone = createZoneResolver(zone);
  let system: DnsResolver | null = null;
  // Created on first use, so a zone-only sandbox never opens a c-ares channel.
  const fromSystem: DnsResolver = (name, rrtype) =>
    (system ??= createSystemResolver(options.system))(name, rrtype);
  const sources = (): DnsResolver[] => {
    if (options.modes?.length)
      return options.modes.map((mode) => (mode === "zone" ? fromZone : fromSystem));
    return [zone.isEmpty() ? fromSystem : fromZone];
  };

  return async (name, rrtype) => {
    const chain = sources();
    for (let i = 0; i < chain.length - 1; i++) {
      try {
        return await chain[i](name, rrtype);
      } catch (err) {
        if (!isNoRecord(err)) throw err;
      }
    }
    return chain[chain.length - 1](name, rrtype);
  };
}
