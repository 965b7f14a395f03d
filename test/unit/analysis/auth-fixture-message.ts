import { readFileSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import type { AnalysisContext, AnalysisInput } from "../../../src/analysis/analyze.js";
import { createDnsZone, createResolver } from "../../../src/analysis/dns/index.js";
import { emptyAnalysis, type Envelope, type Message } from "../../../src/core/types.js";
import { parseMessage } from "../../../src/ingest/parse.js";

export const fixturesDir = join(import.meta.dirname, "../../../fixtures");

export function readZone(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(fixturesDir, "dns", name), "utf8")) as Record<
    string,
    unknown
  >;
}

/** An analysis input built the way ingest builds it: the real MIME parser over raw bytes. */
export async function inputFor(
  raw: Buffer,
  envelope: Partial<Envelope> = {},
  receivedAt = new Date(),
): Promise<AnalysisInput> {
  const fullEnvelope: Envelope = {
    mailFrom: null,
    rcptTo: ["alice@customer.test"],
    remoteAddress: "127.0.0.1",
    helo: "localhost",
    secure: false,
    authUser: null,
    ...envelope,
  };
  const { attachmentContents: _contents, ...fields } = await parseMessage(raw, fullEnvelope);
  const message: Message = {
    id: "01J00000000000000000000000",
    receivedAt: receivedAt.toISOString(),
    source: { kind: "smtp", providerMessageId: null },
    envelope: fullEnvelope,
    ...fields,
    size: raw.length,
    tags: [],
    mailbox: "default",
    read: false,
    analysis: emptyAnalysis(),
  };
  return { message, raw };
}

/** The context ingest gives analysers, answering DNS from the given zone only. */
export function zoneContext(
  zone: unknown,
  overrides: Partial<AnalysisContext> = {},
): AnalysisContext {
  return {
    resolver: createResolver(createDnsZone(zone), { modes: ["zone"] }),
    logger: pino({ level: "silent" }),
    appUrl: null,
    spfIp: null,
    allowedLinkHosts: [],
    ...overrides,
  };
}
