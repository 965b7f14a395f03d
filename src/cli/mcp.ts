import { parseArgs } from "node:util";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { createSandboxBackend } from "../mcp/backend.js";
import { createMcpServer } from "../mcp/tools.js";

const HELP = `mailproof mcp [options]   Model Context Protocol server on stdio, for coding agents

  --url URL          the running sandbox (default $MAILPROOF_URL or http://127.0.0.1:8025)
  --api-token TOKEN  bearer token when the sandbox runs with --api-token (default $MAILPROOF_API_TOKEN)

Tools: list_messages, get_message, wait_for_message, get_links, get_codes, delete_messages,
set_faults, send_test_email. stdout carries the protocol; messages go to stderr. See docs/mcp.md.
`;

const DEFAULT_URL = "http://127.0.0.1:8025";

export async function mcp(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: "string" },
      "api-token": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const url = values.url ?? process.env.MAILPROOF_URL ?? DEFAULT_URL;
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    process.stderr.write(
      `mailproof mcp: --url must be an http(s) URL such as ${DEFAULT_URL}, not "${url}"\n`,
    );
    return 2;
  }
  const token = values["api-token"] ?? process.env.MAILPROOF_API_TOKEN;
  const server = createMcpServer(createSandboxBackend({ url, token: token || undefined }));
  const transport = new StdioServerTransport();
  // The agent ends the session by closing our stdin (MCP stdio transport, "Shutdown").
  const closed = new Promise<number>((resolve) => {
    transport.onclose = () => resolve(0);
    process.stdin.once("end", () => void server.close());
  });
  await server.connect(transport);
  process.stderr.write(`mailproof mcp: serving the sandbox at ${url} on stdio\n`);
  return closed;
}
