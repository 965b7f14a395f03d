import { createServer } from "node:http";
import type { AddressInfo, LookupFunction } from "node:net";
import pino from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { allowedHostRules, fetchAllowed } from "../../../src/analysis/links/hosts.js";
import { createLinkChecker } from "../../../src/analysis/links/index.js";

/**
 * The live check fetches only what the user allowed, matched on scheme, host and port exactly:
 * `--app-url http://localhost` is the app on port 80, not every service on localhost.
 */
const logger = pino({ level: "silent" });
const localhost: LookupFunction = (_hostname, options, callback) => {
  if (options.all)
    (callback as (err: null, a: Array<{ address: string; family: number }>) => void)(null, [
      { address: "127.0.0.1", family: 4 },
    ]);
  else callback(null, "127.0.0.1", 4);
};

const allows = (appUrl: string | null, hosts: string[], link: string) =>
  allowedHostRules(appUrl, hosts).some((rule) => fetchAllowed(rule, new URL(link)));

describe("allow-list matching", () => {
  test.each([
    // --app-url: its scheme, host and (default) port only
    ["https://app.test", [], "https://app.test/reset", true],
    ["https://app.test", [], "https://app.test:443/reset", true],
    ["https://app.test", [], "https://app.test:8443/reset", false],
    ["https://app.test", [], "http://app.test/reset", false],
    ["http://app.test:3000", [], "http://app.test:3000/reset", true],
    ["http://app.test:3000", [], "https://app.test:3000/reset", false],
    ["http://app.test:3000", [], "http://app.test/reset", false],
    ["http://app.test", [], "http://app.test:3000/reset", false],
    ["http://app.test", [], "http://sub.app.test/reset", false],
    // --allowed-link-hosts: host (default ports), host:port, scheme://host[:port], *.domain
    [null, ["app.test"], "https://app.test/x", true],
    [null, ["app.test"], "http://app.test/x", true],
    [null, ["app.test"], "http://app.test:8080/x", false],
    [null, ["app.test:8080"], "http://app.test:8080/x", true],
    [null, ["app.test:8080"], "http://app.test:8081/x", false],
    [null, ["https://app.test"], "http://app.test/x", false],
    [null, ["https://app.test"], "https://app.test/x", true],
    [null, ["http://app.test:80"], "http://app.test/x", true],
    [null, ["*.app.test"], "https://a.app.test/x", true],
    [null, ["*.app.test"], "https://a.app.test:444/x", false],
    [null, ["*.app.test"], "https://app.test/x", false],
  ] as Array<[string | null, string[], string, boolean]>)(
    "app %s, hosts %j: %s → %s",
    (appUrl, hosts, link, expected) => {
      expect(allows(appUrl, hosts, link)).toBe(expected);
    },
  );
});

describe("live check against real servers on two loopback ports", () => {
  const hits: string[] = [];
  const servers = [createServer(), createServer()];
  const ports: number[] = [];

  beforeAll(async () => {
    for (const [index, server] of servers.entries()) {
      server.on("request", (req, res) => {
        hits.push(`${index}${req.url}`);
        res.end("ok");
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      ports.push((server.address() as AddressInfo).port);
    }
  });
  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
  beforeEach(() => {
    hits.length = 0;
  });

  test("an app URL without a port does not let any other port on that host be fetched", async () => {
    const checker = createLinkChecker(
      { logger },
      { appUrl: "http://localhost", allowedLinkHosts: [], lookup: localhost },
    );
    const live = await checker.check(`http://localhost:${ports[1]}/admin/delete-everything`);
    expect(live).toMatchObject({ status: null, error: expect.stringContaining("not allowed") });
    expect(hits).toEqual([]);
  });

  test("host:port allows that port only; a same-host redirect to another port is not followed", async () => {
    const checker = createLinkChecker(
      { logger },
      { appUrl: `http://localhost:${ports[0]}`, allowedLinkHosts: [], lookup: localhost },
    );
    expect(await checker.check(`http://localhost:${ports[0]}/reset`)).toMatchObject({
      status: 200,
      error: null,
    });
    expect(await checker.check(`http://localhost:${ports[1]}/reset`)).toMatchObject({
      status: null,
    });
    expect(await checker.check(`https://localhost:${ports[0]}/reset`)).toMatchObject({
      status: null,
      error: expect.stringContaining("not allowed"),
    });
    expect(hits).toEqual(["0/reset"]);
  });
});
