import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { Logger } from "pino";
import { createSandboxBackend, type SandboxBackendOptions } from "./backend.js";
import { createMcpServer } from "./tools.js";

/**
 * One streamable HTTP exchange, stateless: a fresh server per POST answering with JSON, as the
 * SDK recommends when the server sends nothing unprompted.
 */
export async function handleMcpRequest(
  request: Request,
  backend: SandboxBackendOptions,
  logger: Logger,
): Promise<Response> {
  const server = createMcpServer(createSandboxBackend(backend));
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  transport.onerror = (err) => logger.warn({ err }, "mcp transport error");
  await server.connect(transport);
  try {
    return await transport.handleRequest(request);
  } finally {
    await server.close();
  }
}
