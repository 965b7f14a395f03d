import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { LookupFunction } from "node:net";
import pino from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { createLinkChecker } from "../../../src/analysis/links/index.js";

/** A real HTTP server on 127.0.0.1 that records every request path. */
async function startRecorder(
  handler: (path: string) => { status: number; location?: string } | null,
) {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(req.url ?? "");
    const answer = handler(req.url ?? "");
    if (!answer) return; // never answers: for the timeout
    res.writeHead(answer.status, answer.location ? { location: answer.location } : {});
    res.end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    hits,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const logger = pino({ level: "silent" });
/** DNS as a hostile sender could arrange it: a public-looking name that points at loopback. */
const rebindingLookup: LookupFunction = (hostname, options, callback) => {
  const addresses = [{ address: "127.0.0.1", family: 4 }];
  if (options.all) (callback as (err: null, a: typeof addresses) => void)(null, addresses);
  else callback(null, "127.0.0.1", 4);
};

describe("live link check guard", () => {
  let app: Awaited<ReturnType<typeof startRecorder>>;
  let other: Awaited<ReturnType<typeof startRecorder>>;

  beforeAll(async () => {
    other = await startRecorder(() => ({ status: 200 }));
    app = await startRecorder((path) => {
      if (path === "/hop") return { status: 302, location: "/reset/landing" };
      if (path === "/away")
        return { status: 302, location: `http://localhost:${other.port}/stolen` };
      if (path === "/hang") return null;
      if (path === "/gone") return { status: 404 };
      return { status: 200 };
    });
  });
  afterAll(async () => {
    await app?.close();
    await other?.close();
  });
  beforeEach(() => {
    app.hits.length = 0;
    other.hits.length = 0;
  });

  test("a link to 127.0.0.1 is not fetched when only the app URL's host is allowed", async () => {
    const checker = createLinkChecker(
      { logger },
      { appUrl: "https://app.example.com", allowedLinkHosts: [] },
    );
    const live = await checker.check(`http://127.0.0.1:${app.port}/reset?token=abc`);
    expect(live).toMatchObject({
      status: null,
      redirects: [],
      error: expect.stringContaining("not fetched: host 127.0.0.1"),
    });
    expect(app.hits).toEqual([]);
  });

  test("nothing is fetched without an app URL or allowed hosts", async () => {
    const checker = createLinkChecker({ logger }, { appUrl: null, allowedLinkHosts: [] });
    const live = await checker.check(`http://127.0.0.1:${app.port}/x`);
    expect(live.error).toContain("set --app-url or --allowed-link-hosts");
    expect(app.hits).toEqual([]);
  });

  test("an allowed loopback host:port is fetched and its status recorded", async () => {
    const checker = createLinkChecker(
      { logger },
      { appUrl: null, allowedLinkHosts: [`127.0.0.1:${app.port}`] },
    );
    expect(await checker.check(`http://127.0.0.1:${app.port}/reset?token=abc`)).toMatchObject({
      status: 200,
      redirects: [],
      error: null,
    });
    expect(await checker.check(`http://127.0.0.1:${app.port}/gone`)).toMatchObject({
      status: 404,
      error: null,
    });
    expect(app.hits).toEqual(["/reset?token=abc", "/gone"]);
  });

  test("the port is part of an allowed host:port entry", async () => {
    const checker = createLinkChecker(
      { logger },
      { appUrl: null, allowedLinkHosts: [`127.0.0.1:${other.port}`] },
    );
    expect((await checker.check(`http://127.0.0.1:${app.port}/x`)).error).toContain("not fetched");
    expect(app.hits).toEqual([]);
  });

  test("an allowed public name resolving to loopback is refused (DNS rebinding), unless the address is listed", async () => {
    const guarded = createLinkChecker(
      { logger },
      {
        appUrl: `http://app.example.com:${app.port}`,
        allowedLinkHosts: [],
        lookup: rebindingLookup,
      },
    );
    const refused = await guarded.check(`http://app.example.com:${app.port}/reset`);
    expect(refused).toMatchObject({
      status: null,
      error: expect.stringContaining("resolves to 127.0.0.1"),
    });
    expect(app.hits).toEqual([]);

    const allowed = createLinkChecker(
      { logger },
      {
        appUrl: `http://app.example.com:${app.port}`,
        allowedLinkHosts: ["127.0.0.1"],
        lookup: rebindingLookup,
      },
    );
    expect(await allowed.check(`http://app.example.com:${app.port}/reset`)).toMatchObject({
      status: 200,
      error: null,
    });
    expect(app.hits).toEqual(["/reset"]);
  });

  test("an app URL naming localhost explicitly allows its loopback address", async () => {
    // localhost → 127.0.0.1 as /etc/hosts says (injected so an IPv6-first ::1 cannot get in the way).
    const checker = createLinkChecker(
      { logger },
      { appUrl: `http://localhost:${app.port}`, allowedLinkHosts: [], lookup: rebindingLookup },
    );
    expect(await checker.check(`http://localhost:${app.port}/verify`)).toMatchObject({
      status: 200,
      error: null,
    });
    expect(app.hits).toEqual(["/verify"]);
  });

  test("same-host redirects are followed and recorded", async () => {
    const checker = createLinkChecker(
      { logger },
      { appUrl: null, allowedLinkHosts: [`127.0.0.1:${app.port}`] },
    );
    const live = await checker.check(`http://127.0.0.1:${app.port}/hop`);
    expect(live).toMatchObject({
      status: 200,
      redirects: [`http://127.0.0.1:${app.port}/reset/landing`],
      error: null,
    });
    expect(app.hits).toEqual(["/hop", "/reset/landing"]);
  });

  test("a redirect to another host is recorded, not followed", async () => {
    const checker = createLinkChecker(
      { logger },
      { appUrl: null, allowedLinkHosts: [`127.0.0.1:${app.port}`] },
    );
    const live = await checker.check(`http://127.0.0.1:${app.port}/away`);
    expect(live).toMatchObject({
      status: 302,
      redirects: [`http://localhost:${other.port}/stolen`],
      error: expect.stringContaining("not followed"),
    });
    expect(other.hits).toEqual([]);
  });

  test("a server that never answers ends in a timeout error", async () => {
    const checker = createLinkChecker(
      { logger },
      { appUrl: null, allowedLinkHosts: [`127.0.0.1:${app.port}`], timeoutMs: 200 },
    );
    const live = await checker.check(`http://127.0.0.1:${app.port}/hang`);
    expect(live).toMatchObject({ status: null, error: expect.stringContaining("timed out") });
  });

  test("non-http links are not fetched", async () => {
    const checker = createLinkChecker(
      { logger },
      { appUrl: null, allowedLinkHosts: ["127.0.0.1"] },
    );
    expect((await checker.check("/relative")).error).toContain("not an absolute URL");
    expect((await checker.check("ftp://127.0.0.1/x")).error).toContain("not http(s)");
  });
});
