import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createAuthAnalyzer } from "../../../src/analysis/auth/index.js";
import {
  createDnsZone,
  createResolver,
  createSystemResolver,
  createZoneResolver,
  parseZone,
} from "../../../src/analysis/dns/index.js";
import { isMailproofError } from "../../../src/core/errors.js";
import { inputFor, zoneContext } from "./auth-fixture-message.js";
import { startTestDnsServer, type TestDnsServer } from "./dns-test-server.js";

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "resolved",
    (err: { code?: string }) => err.code,
  );

describe("zone", () => {
  test("names are case-insensitive without the root dot, record types upper case, bare TXT strings wrapped", () => {
    expect(
      parseZone({
        "Shop.TEST.": { txt: ["v=spf1 -all"], MX: [{ exchange: "mx.shop.test", priority: 10 }] },
      }),
    ).toEqual({
      "shop.test": { TXT: [["v=spf1 -all"]], MX: [{ exchange: "mx.shop.test", priority: 10 }] },
    });
  });

  test.each([
    ["an array", []],
    ["a name mapped to a string", { "shop.test": "v=spf1" }],
    ["a record set that is not an array", { "shop.test": { TXT: "v=spf1" } }],
    ["a TXT record that is a number", { "shop.test": { TXT: [42] } }],
    ["an unknown error code", { "shop.test": { TXT: { error: "EBROKEN" } } }],
  ])("rejects %s with BAD_REQUEST", (_label, zone) => {
    try {
      parseZone(zone);
      expect.unreachable();
    } catch (err) {
      expect(isMailproofError(err) && err.code).toBe("BAD_REQUEST");
    }
  });

  test("an invalid replacement keeps the old zone", () => {
    const zone = createDnsZone({ "shop.test": { TXT: ["v=spf1 -all"] } });
    expect(() => zone.replace({ "shop.test": { TXT: "nope" } })).toThrow(/invalid DNS zone/);
    expect(zone.get()["shop.test"]).toEqual({ TXT: [["v=spf1 -all"]] });
  });

  test("an invalid starting zone is a configuration error", () => {
    expect(() => createDnsZone([])).toThrow(expect.objectContaining({ code: "CONFIG_INVALID" }));
  });

  test("answers NXDOMAIN as ENOTFOUND, a missing type as ENODATA, and error answers as their code", async () => {
    const resolve = createZoneResolver(
      createDnsZone({ "shop.test": { TXT: ["v=spf1 -all"], MX: { error: "ETIMEOUT" } } }),
    );
    expect(await resolve("SHOP.test", "txt")).toEqual([["v=spf1 -all"]]);
    expect(await codeOf(resolve("nx.test", "TXT"))).toBe("ENOTFOUND");
    expect(await codeOf(resolve("shop.test", "A"))).toBe("ENODATA");
    expect(await codeOf(resolve("shop.test", "MX"))).toBe("ETIMEOUT");
  });

  test("a replaced zone answers the next lookup", async () => {
    const zone = createDnsZone({});
    const resolve = createZoneResolver(zone);
    expect(await codeOf(resolve("shop.test", "TXT"))).toBe("ENOTFOUND");
    zone.replace({ "shop.test": { TXT: ["v=spf1 -all"] } });
    expect(await resolve("shop.test", "TXT")).toEqual([["v=spf1 -all"]]);
  });
});

describe("system DNS", () => {
  let server: TestDnsServer;
  let silent: TestDnsServer;
  beforeAll(async () => {
    server = await startTestDnsServer({
      "shop.test": { TXT: ["v=spf1 ip4:192.0.2.10 -all"], A: ["192.0.2.10"] },
      "broken.test": "SERVFAIL",
    });
    silent = await startTestDnsServer({}, { silent: true });
  });
  afterAll(async () => {
    await server.close();
    await silent.close();
  });

  test("answers from the server and caches answers and NXDOMAIN, but not SERVFAIL", async () => {
    const resolve = createSystemResolver({ servers: [server.address], timeoutMs: 500, tries: 1 });
    const before = server.queries.length;
    expect(await resolve("shop.test", "TXT")).toEqual([["v=spf1 ip4:192.0.2.10 -all"]]);
    expect(await resolve("Shop.test.", "TXT")).toEqual([["v=spf1 ip4:192.0.2.10 -all"]]);
    expect(await codeOf(resolve("nx.test", "TXT"))).toBe("ENOTFOUND");
    expect(await codeOf(resolve("nx.test", "TXT"))).toBe("ENOTFOUND");
    expect(await codeOf(resolve("broken.test", "TXT"))).toBe("ESERVFAIL");
    expect(await codeOf(resolve("broken.test", "TXT"))).toBe("ESERVFAIL");
    expect(server.queries.slice(before)).toEqual([
      "TXT shop.test",
      "TXT nx.test",
      "TXT broken.test",
      "TXT broken.test",
    ]);
  });

  test("a server that never answers yields ETIMEOUT within the deadline", async () => {
    const resolve = createSystemResolver({ servers: [silent.address], timeoutMs: 100, tries: 2 });
    expect(await codeOf(resolve("shop.test", "TXT"))).toBe("ETIMEOUT");
  });

  test("zone,system asks the zone first and falls back to DNS for names it lacks", async () => {
    const zone = createDnsZone({ "shop.test": { TXT: ["v=spf1 -all"] } });
    const resolve = createResolver(zone, {
      modes: ["zone", "system"],
      system: { servers: [server.address], timeoutMs: 500, tries: 1 },
    });
    expect(await resolve("shop.test", "TXT")).toEqual([["v=spf1 -all"]]);
    expect(await resolve("shop.test", "A")).toEqual(["192.0.2.10"]);
  });

  test("without a mode, an empty zone means system DNS and a filled one means the zone", async () => {
    const zone = createDnsZone({});
    const resolve = createResolver(zone, {
      system: { servers: [server.address], timeoutMs: 500, tries: 1 },
    });
    expect(await resolve("shop.test", "A")).toEqual(["192.0.2.10"]);
    zone.replace({ "other.test": { A: ["198.51.100.1"] } });
    expect(await codeOf(resolve("shop.test", "A"))).toBe("ENOTFOUND");
  });

  test("a dead resolver turns SPF and DMARC into temperror instead of hanging the analysis", async () => {
    const resolver = createResolver(createDnsZone({}), {
      modes: ["system"],
      system: { servers: [silent.address], timeoutMs: 100, tries: 1 },
    });
    const raw = Buffer.from(
      "From: orders@shop.test\r\nTo: a@customer.test\r\nSubject: hi\r\nDate: Fri, 20 Nov 2026 10:00:00 +0000\r\nMessage-ID: <t@shop.test>\r\n\r\nhi\r\n",
    );
    const input = await inputFor(raw, {
      mailFrom: "bounce@shop.test",
      remoteAddress: "192.0.2.10",
      helo: "mail.shop.test",
    });
    const { auth } = await createAuthAnalyzer().run(input, zoneContext({}, { resolver }));
    expect(auth!.spf!.result).toBe("temperror");
    expect(auth!.dmarc!.result).toBe("temperror");
  });
});
