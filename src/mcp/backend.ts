import nodemailer from "nodemailer";
import { MailproofClientError } from "../client/errors.js";
import { createHttp, type HttpOptions } from "../client/http.js";
import { waitForMessage } from "../client/wait-for.js";
import type { LinkInfo, LinkKind, Message, MessageSummary } from "../core/types.js";

export interface SandboxBackendOptions extends HttpOptions {
  /**
   * Where the sandbox's SMTP listener is reached for `send_test_email`; its port comes from
   * `/api/health`. @default the host name of `url`
   */
  smtpHost?: string;
}

interface TestEmail {
  to: string;
  subject?: string;
  text?: string;
}

/** What the MCP tools do, each one call (or two) to a running sandbox's REST API. */
export interface SandboxBackend {
  listMessages(
    query: string,
    limit: number | undefined,
  ): Promise<{ messages: MessageSummary[]; total: number }>;
  getMessage(id: string): Promise<Message>;
  waitForMessage(query: string, timeout: number | undefined): Promise<Message>;
  getLinks(id: string, kind: LinkKind | undefined): Promise<{ id: string; links: LinkInfo[] }>;
  getCodes(id: string): Promise<{ id: string; codes: string[] }>;
  deleteMessages(query: string | undefined): Promise<{ deleted: number }>;
  setFaults(rules: unknown[]): Promise<{ rules: unknown[] }>;
  sendTestEmail(
    email: TestEmail,
  ): Promise<{ accepted: string[]; rejected: string[]; response: string; messageId: string }>;
}

const TEST_SENDER = "mailproof@localhost";
const SMTP_TIMEOUT_MS = 15_000;

const messagePath = (id: string) => `/api/messages/${encodeURIComponent(id)}`;

/** The backend every transport shares: stdio talks to `--url`, `/mcp` to its own app in-process. */
export function createSandboxBackend(options: SandboxBackendOptions): SandboxBackend {
  const http = createHttp(options);
  const smtpHost = options.smtpHost ?? new URL(options.url).hostname.replace(/^\[(.*)\]$/, "$1");

  return {
    async listMessages(query, limit) {
      const page = await http.json<{ messages: MessageSummary[]; total: number }>(
        "GET",
        "/api/messages",
        { query, limit },
      );
      return { messages: page.messages, total: page.total };
    },
    getMessage: (id) => http.json<Message>("GET", messagePath(id)),
    waitForMessage: (query, timeout) => waitForMessage(http, { query, timeout }),
    async getLinks(id, kind) {
      const { links } = await http.json<{ links: LinkInfo[] }>("GET", `${messagePath(id)}/links`, {
        kind,
      });
      return { id, links };
    },
    async getCodes(id) {
      const { codes } = await http.json<{ codes: string[] }>("GET", `${messagePath(id)}/links`);
      return { id, codes };
    },
    deleteMessages: (query) => http.json<{ deleted: number }>("DELETE", "/api/messages", { query }),
    setFaults: (rules) => http.json<{ rules: unknown[] }>("PUT", "/api/faults", {}, { rules }),
    async sendTestEmail(email) {
      const { smtpPort } = await http.json<{ smtpPort: number | null }>("GET", "/api/health");
      if (!smtpPort)
        throw new MailproofClientError("SMTP_UNAVAILABLE", "the sandbox reports no SMTP port");
      // The sandbox's certificate is self-signed unless --tls-cert is given, as in `mailproof send`.
      const transport = nodemailer.createTransport({
        host: smtpHost,
        port: smtpPort,
        tls: { rejectUnauthorized: false },
        connectionTimeout: SMTP_TIMEOUT_MS,
        greetingTimeout: SMTP_TIMEOUT_MS,
        socketTimeout: SMTP_TIMEOUT_MS,
      });
      try {
        const info = await transport.sendMail({
          from: TEST_SENDER,
          to: email.to,
          subject: email.subject ?? "mailproof test message",
          text: email.text ?? "Sent by mailproof's send_test_email tool.",
        });
        return {
          accepted: info.accepted.map(String),
          rejected: info.rejected.map(String),
          response: info.response,
          messageId: info.messageId,
        };
      } catch (err) {
        const e = err as Error & { response?: string };
        throw new MailproofClientError(
          "SMTP_REFUSED",
          `SMTP ${smtpHost}:${smtpPort} refused the message: ${e.response ?? e.message}`,
          { cause: err },
        );
      } finally {
        transport.close();
      }
    },
  };
}
