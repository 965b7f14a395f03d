import { createRequire } from "node:module";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { FAULT_STAGES } from "../faults/types.js";
import type { SandboxBackend } from "./backend.js";

const { version } = createRequire(import.meta.url)("../../package.json") as { version: string };

/** Below the SDK client's default 60 s request timeout, so a wait ends as a result, not a dropped request. */
const MAX_WAIT_MS = 50_000;
const LINK_KINDS = ["reset", "verify", "login", "unsubscribe", "other"] as const;

const SEARCH_SYNTAX =
  'Search syntax (terms ANDed, case-insensitive): free words, "quoted phrases", to:ADDR from:ADDR subject:WORD tag: has:attachment has:link has:code ' +
  "link:reset|verify|login|unsubscribe is:read is:unread dkim:pass|fail spf:… dmarc:… before:/after: ISO date, -term negates.";

const faultRule = z
  .looseObject({
    stage: z.enum(FAULT_STAGES).describe("SMTP stage the rule acts at"),
    match: z
      .object({
        from: z.string().optional(),
        to: z.string().optional(),
        user: z.string().optional(),
      })
      .optional()
      .describe("globs (* and ?) on MAIL FROM, RCPT TO, AUTH user; all given must match"),
    reply: z
      .object({ code: z.number().int().min(400).max(599), message: z.string() })
      .optional()
      .describe(
        'SMTP reply sent instead of the normal one, e.g. { code: 550, message: "5.1.1 no such user" }',
      ),
    delayMs: z.number().int().min(0).optional().describe("wait this long before answering"),
    disconnect: z.boolean().optional().describe("drop the connection instead of answering"),
    times: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe("fire this many times, then retire (e.g. greylisting)"),
    probability: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe("chance the rule fires (seeded, repeatable); default 1"),
    tls: z
      .object({
        certificate: z.enum(["expired", "wrong-name", "untrusted"]).optional(),
        starttls: z.enum(["refuse", "absent", "require"]).optional(),
        versions: z.array(z.enum(["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"])).optional(),
      })
      .optional()
      .describe(
        'stage "tls" only: a bad certificate, STARTTLS refused (454), absent or required (530 before it), or limited TLS versions',
      ),
  })
  .describe("one SMTP fault rule");

/** Results are JSON text content; a failure is a tool error carrying the REST API's message. */
async function run(action: () => Promise<unknown>): Promise<CallToolResult> {
  try {
    return { content: [{ type: "text", text: JSON.stringify(await action(), null, 2) }] };
  } catch (err) {
    return { content: [{ type: "text", text: (err as Error).message }], isError: true };
  }
}

/** The mailproof tools (DESIGN.md "Coding agents (MCP)") on a new MCP server, whatever the transport. */
export function createMcpServer(backend: SandboxBackend): McpServer {
  const server = new McpServer(
    { name: "mailproof", version },
    {
      instructions:
        "mailproof is a local SMTP sandbox: the app under test sends its email here instead of delivering it. Use these tools to find, wait for and inspect captured email (links, one-time codes), to clear it, and to make the SMTP server fail on purpose.",
    },
  );

  server.registerTool(
    "list_messages",
    {
      description: `List captured email, newest first, as summaries (id, receivedAt, from, to, subject, snippet, tags, dmarc, findingCount) plus the total count. ${SEARCH_SYNTAX}`,
      inputSchema: {
        query: z
          .string()
          .optional()
          .describe(
            'search query, e.g. "to:alice@example.test subject:reset"; empty lists everything',
          ),
        limit: z
          .number()
          .int()
          .min(1)
          .max(1000)
          .optional()
          .describe("most summaries to return (default 50)"),
      },
      annotations: { readOnlyHint: true },
    },
    ({ query, limit }) => run(() => backend.listMessages(query ?? "", limit)),
  );

  server.registerTool(
    "get_message",
    {
      description:
        "Get one captured email in full: headers, envelope, text and HTML bodies, attachments list, and its analysis (DKIM/SPF/DMARC verdicts, links with their kind, one-time codes, findings).",
      inputSchema: {
        id: z.string().min(1).describe("message id, from list_messages or wait_for_message"),
      },
      annotations: { readOnlyHint: true },
    },
    ({ id }) => run(() => backend.getMessage(id)),
  );

  server.registerTool(
    "wait_for_message",
    {
      description: `Wait until an email matching the query has been captured and analysed, and return it in full (as get_message). Mail that arrived before the call counts too, so query by a recipient address unique to the test. Fails after the timeout, listing what did arrive. ${SEARCH_SYNTAX}`,
      inputSchema: {
        query: z.string().describe('search query, e.g. "to:new-user@example.test subject:verify"'),
        timeout: z
          .number()
          .int()
          .min(0)
          .max(MAX_WAIT_MS)
          .optional()
          .describe(`milliseconds to wait (default 10000, at most ${MAX_WAIT_MS})`),
      },
      annotations: { readOnlyHint: true },
    },
    ({ query, timeout }) => run(() => backend.waitForMessage(query, timeout)),
  );

  server.registerTool(
    "get_links",
    {
      description:
        "The links found in a captured email, each with its url, text, kind (reset, verify, login, unsubscribe, other), host, https and check results. Use it to follow a password-reset or verification link.",
      inputSchema: {
        id: z.string().min(1).describe("message id"),
        kind: z.enum(LINK_KINDS).optional().describe("only links of this kind"),
      },
      annotations: { readOnlyHint: true },
    },
    ({ id, kind }) => run(() => backend.getLinks(id, kind)),
  );

  server.registerTool(
    "get_codes",
    {
      description:
        "The one-time codes (verification, login, 2FA codes) found in a captured email's subject and body, in order of appearance.",
      inputSchema: { id: z.string().min(1).describe("message id") },
      annotations: { readOnlyHint: true },
    },
    ({ id }) => run(() => backend.getCodes(id)),
  );

  server.registerTool(
    "delete_messages",
    {
      description: `Delete the captured email matching the query and return how many were deleted. Without a query it deletes EVERY message. ${SEARCH_SYNTAX}`,
      inputSchema: {
        query: z.string().optional().describe("search query; omit to delete everything"),
      },
      annotations: { destructiveHint: true, idempotentHint: true },
    },
    ({ query }) => run(() => backend.deleteMessages(query)),
  );

  server.registerTool(
    "set_faults",
    {
      description:
        "Replace the SMTP fault rules, to test how the app handles a failing mail server: rejected recipients (rcpt 550), greylisting (rcpt 451 with times: 1), " +
        "a full mailbox (data 552), authentication failure (auth 535), slow or dropped connections (delayMs, disconnect). An empty list removes every rule. Returns the rules in force.",
      inputSchema: { rules: z.array(faultRule).describe("the complete new list of rules") },
      annotations: { destructiveHint: false, idempotentHint: true },
    },
    ({ rules }) => run(() => backend.setFaults(rules)),
  );

  server.registerTool(
    "send_test_email",
    {
      description:
        "Send a plain-text test email through the sandbox's SMTP server (from mailproof@localhost), e.g. to check that it is capturing or that a fault rule fires. Returns the SMTP result; an SMTP rejection is a tool error with the server's reply.",
      inputSchema: {
        to: z.string().min(1).describe("recipient address"),
        subject: z.string().optional().describe('subject (default "mailproof test message")'),
        text: z.string().optional().describe("plain-text body"),
      },
    },
    ({ to, subject, text }) => run(() => backend.sendTestEmail({ to, subject, text })),
  );

  return server;
}
