export { createResolver, type DnsMode, type ResolverOptions } from "./create-resolver.js";
export { createSystemResolver, type SystemResolverOptions } from "./system-resolver.js";
export { createZoneResolver } from "./zone-resolver.js";
export { createDnsZone, parseZone, type DnsZone, type ZoneAnswer, type ZoneData } from "./zone.js";
export { dnsError, isNoRecord, type DnsErrorCode } from "./dns-error.js";
