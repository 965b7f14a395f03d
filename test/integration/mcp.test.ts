import { spawnSync } from "node:child_process";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { CLI } from "../helpers/cli.js";
import { startTestSandbox } from "../helpers/sandbox.js";

/**
 * The MCP tools through the official SDK client, over both transports: `mailproof mcp` spawned
 * on stdio, and streamable HTTP at /mcp, against one real sandbox behind --api-token.
 */
const TOKEN = "mcp-test-token";
const TOOLS = [
  "delete_messages",
  "get_codes",
  "get_links",
  "get_message",
  "list_messages",
  "send_test_email",
  "set_faults",
  "wait_for_message",
];

let sandbox: Sandbox;
let counter = 0;
const unique = (label: string) => `${label}-${process.pid}-${++counter}@mcp.test`;

beforeAll(async () => {
  sandbox = await startTestSandbox({ apiToken: TOKEN });
});
afterAll(() => sandbox?.stop());

const transports = {
  stdio: () =>
    new StdioClientTransport({
      command: process.execPath,
      args: [CLI, "mcp", "--url", sandbox.url],
      env: { MAILPROOF_API_TOKEN: TOKEN },
      stderr: "pipe",
    }),
  http: () =>
    new StreamableHTTPClientTransport(new URL(`${sandbox.url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${TOKEN}` } },
    }),
};

async function call(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

function textOf(result: CallToolResult): string {
  const [first] = result.content;
  if (first?.type !== "text")
    throw new Error(`expected text content, got ${JSON.stringify(result.content)}`);
  return first.text;
}

async function json<T = any>(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<T> {
  const result = await call(client, name, args);
  expect(result.isError ?? false, textOf(result)).toBe(false);
  return JSON.parse(textOf(result)) as T;
}

describe.each(Object.keys(transports) as Array<keyof typeof transports>)("MCP over %s", (kind) => {
  let client: Client;

  beforeAll(async () => {
    client = new Client({ name: "mailproof-test", version: "1.0.0" });
    await client.connect(transports[kind]());
  });
  afterAll(() => client?.close());

  test("lists the eight tools, each with a description and an input schema", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(TOOLS);
    for (const tool of tools) {
      expect(tool.description?.length, tool.name).toBeGreaterThan(40);
      expect(tool.inputSchema.type).toBe("object");
    }
    const wait = tools.find((t) => t.name === "wait_for_message");
    expect(wait?.inputSchema.required).toEqual(["query"]);
    expect(Object.keys(wait?.inputSchema.properties ?? {})).toEqual(["query", "timeout"]);
  });

  test("sends a test email, waits for it, reads its links and codes, deletes it", async () => {
    const to = unique("flow");
    const text =
      "Confirm your address: https://app.example.test/verify-email?token=tok-81f3a9\nYour verification code is 482913.";
    const sent = await json(client, "send_test_email", { to, subject: "Verify your email", text });
    expect(sent.accepted).toEqual([to]);
    expect(sent.response).toMatch(/^250/);

    const message = await json(client, "wait_for_message", { query: `to:${to}`, timeout: 20_000 });
    expect(message.subject).toBe("Verify your email");
    expect(message.to).toEqual([{ name: null, address: to }]);
    expect(message.analysis.status).toBe("done");

    const links = await json(client, "get_links", { id: message.id });
    expect(links.links.map((l: { url: string; kind: string }) => [l.url, l.kind])).toEqual([
      ["https://app.example.test/verify-email?token=tok-81f3a9", "verify"],
    ]);
    expect((await json(client, "get_links", { id: message.id, kind: "reset" })).links).toEqual([]);
    expect(await json(client, "get_codes", { id: message.id })).toEqual({
      id: message.id,
      codes: ["482913"],
    });

    const listed = await json(client, "list_messages", { query: `to:${to}` });
    expect(listed.total).toBe(1);
    expect(listed.messages[0].id).toBe(message.id);
    expect(await json(client, "get_message", { id: message.id })).toMatchObject({
      id: message.id,
      text: expect.stringContaining("482913"),
    });

    expect(await json(client, "delete_messages", { query: `to:${to}` })).toEqual({ deleted: 1 });
    expect((await json(client, "list_messages", { query: `to:${to}` })).total).toBe(0);
  });

  test("a fault rule set through set_faults makes SMTP refuse, and send_test_email reports the reply", async () => {
    const to = unique("refused");
    const set = await json(client, "set_faults", {
      rules: [
        {
          stage: "rcpt",
          match: { to: "refused-*@mcp.test" },
          reply: { code: 550, message: "5.1.1 mailbox unavailable" },
        },
      ],
    });
    expect(set.rules).toHaveLength(1);
    try {
      const refused = await call(client, "send_test_email", { to });
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toContain("550 5.1.1 mailbox unavailable");
    } finally {
      expect(await json(client, "set_faults", { rules: [] })).toEqual({ rules: [] });
    }
    expect((await json(client, "send_test_email", { to })).accepted).toEqual([to]);
  });

  test("errors are tool errors carrying the REST API's message", async () => {
    const missing = await call(client, "get_message", { id: "no-such-id" });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toContain('no message with id "no-such-id"');

    const badQuery = await call(client, "list_messages", { query: "has:nothing" });
    expect(badQuery.isError).toBe(true);
    expect(textOf(badQuery)).toContain('unknown "has:nothing"');

    const timedOut = await call(client, "wait_for_message", {
      query: `to:${unique("never")}`,
      timeout: 200,
    });
    expect(timedOut.isError).toBe(true);
    expect(textOf(timedOut)).toMatch(/timed out after 200 ms/);
  });
});

describe("/mcp access", () => {
  const initialize = {
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: {
      protocolVersion: "2025-06-18",
      capabilities: {},
      clientInfo: { name: "curl", version: "1" },
    },
  };
  const post = (headers: Record<string, string>) =>
    fetch(`${sandbox.url}/mcp`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        ...headers,
      },
      body: JSON.stringify(initialize),
    });

  test("needs the API token like the REST API", async () => {
    const response = await post({});
    expect(response.status).toBe(401);
    expect((await response.json()).error.code).toBe("UNAUTHORIZED");
    await expect(
      new Client({ name: "t", version: "1" }).connect(
        new StreamableHTTPClientTransport(new URL(`${sandbox.url}/mcp`)),
      ),
    ).rejects.toThrow(/401|authentication required/i);
  });

  test("refuses a cross-origin browser request even with the token", async () => {
    const foreign = await post({ authorization: `Bearer ${TOKEN}`, origin: "http://evil.example" });
    expect(foreign.status).toBe(403);
    expect((await foreign.json()).error.message).toMatch(/cross-site request refused/);
    const crossSite = await post({
      authorization: `Bearer ${TOKEN}`,
      "sec-fetch-site": "cross-site",
    });
    expect(crossSite.status).toBe(403);
    const sameOrigin = await post({ authorization: `Bearer ${TOKEN}`, origin: sandbox.url });
    expect(sameOrigin.status).toBe(200);
  });

  test("answers GET with 405: the endpoint is stateless", async () => {
    const response = await fetch(`${sandbox.url}/mcp`, {
      headers: { authorization: `Bearer ${TOKEN}`, accept: "text/event-stream" },
    });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
  });
});

describe("mailproof mcp command line", () => {
  test("--help describes it; a --url that is not http(s) exits 2 naming it", () => {
    const help = spawnSync(process.execPath, [CLI, "mcp", "--help"], { encoding: "utf8" });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("--url URL");
    const bad = spawnSync(process.execPath, [CLI, "mcp", "--url", "ftp://127.0.0.1"], {
      encoding: "utf8",
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(
      '--url must be an http(s) URL such as http://127.0.0.1:8025, not "ftp://127.0.0.1"',
    );
  });
});
