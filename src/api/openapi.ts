import { PROVIDER_NAMES } from "../core/types.js";
/** OpenAPI 3.1 description of the native REST API (DESIGN.md "REST API (native)"). */

const error = { $ref: "#/components/schemas/Error" };
const json = (schema: object) => ({ content: { "application/json": { schema } } });
const errorResponse = (description: string) => ({ description, ...json(error) });
const queryParam = {
  name: "query",
  in: "query",
  schema: { type: "string" },
  description: "Search query (docs/capture-and-search.md, Search syntax)",
};
const mailboxParam = {
  name: "mailbox",
  in: "query",
  schema: { type: "string" },
  description: "Only this mailbox (docs/mailboxes.md): the same as `mailbox:NAME` in the query",
};
const idParam = { name: "id", in: "path", required: true, schema: { type: "string" } };

export const openApiDocument = {
  openapi: "3.1.0",
  info: {
    title: "mailproof",
    version: "1",
    description: "Local SMTP sandbox and test harness: native REST API.",
  },
  paths: {
    "/api/messages": {
      get: {
        summary: "List messages, newest first",
        parameters: [
          queryParam,
          mailboxParam,
          {
            name: "limit",
            in: "query",
            schema: { type: "integer", minimum: 1, maximum: 1000, default: 50 },
          },
          {
            name: "before",
            in: "query",
            schema: { type: "string" },
            description: "Keyset cursor: the `next` of the previous page",
          },
        ],
        responses: {
          "200": { description: "A page", ...json({ $ref: "#/components/schemas/MessageList" }) },
          "400": errorResponse("Bad query"),
        },
      },
      post: {
        summary: "Upload a raw RFC 5322 message",
        parameters: [
          { name: "from", in: "query", schema: { type: "string" } },
          {
            name: "to",
            in: "query",
            schema: { type: "string" },
            description: "Comma-separated envelope recipients",
          },
          { name: "tags", in: "query", schema: { type: "string" } },
        ],
        requestBody: {
          content: {
            "message/rfc822": { schema: { type: "string", format: "binary" } },
            "application/octet-stream": { schema: { type: "string", format: "binary" } },
          },
        },
        responses: {
          "201": {
            description: "Stored",
            ...json({ type: "object", properties: { id: { type: "string" } } }),
          },
          "403": errorResponse("Sent by a page on another origin (docs/security.md)"),
          "413": errorResponse("Too large"),
          "415": errorResponse(
            "Content-Type is not message/rfc822 or application/octet-stream (a form upload, multipart or form-encoded, is one of these)",
          ),
        },
      },
      delete: {
        summary: "Delete messages matching the query (all when it is empty)",
        parameters: [queryParam, mailboxParam],
        responses: {
          "200": {
            description: "Deleted",
            ...json({ type: "object", properties: { deleted: { type: "integer" } } }),
          },
        },
      },
    },
    "/api/messages/{id}": {
      get: {
        summary: "Full message",
        parameters: [idParam],
        responses: {
          "200": { description: "Message", ...json({ $ref: "#/components/schemas/Message" }) },
          "404": errorResponse("Unknown id"),
        },
      },
      patch: {
        summary: "Set read state and/or tags",
        parameters: [idParam],
        requestBody: json({
          type: "object",
          properties: {
            read: { type: "boolean" },
            tags: { type: "array", items: { type: "string" } },
          },
        }),
        responses: {
          "200": { description: "Summary", ...json({ $ref: "#/components/schemas/Summary" }) },
          "404": errorResponse("Unknown id"),
        },
      },
      delete: {
        summary: "Delete one message",
        parameters: [idParam],
        responses: { "200": { description: "Deleted" }, "404": errorResponse("Unknown id") },
      },
    },
    "/api/messages/{id}/raw": {
      get: {
        summary: "Raw message bytes as received",
        parameters: [idParam],
        responses: {
          "200": { description: "message/rfc822", content: { "message/rfc822": {} } },
          "404": errorResponse("Unknown id"),
        },
      },
    },
    "/api/messages/{id}/links": {
      get: {
        summary:
          "The message's links (with their checks) and one-time codes; check=1 fetches allowed links live and stores the result",
        parameters: [
          idParam,
          {
            name: "check",
            in: "query",
            schema: { type: "string", enum: ["1", "true", "0", "false"] },
          },
          {
            name: "kind",
            in: "query",
            schema: { type: "string", enum: ["reset", "verify", "login", "unsubscribe", "other"] },
          },
        ],
        responses: {
          "200": {
            description: "Links and codes",
            ...json({
              type: "object",
              properties: {
                id: { type: "string" },
                links: { type: "array", items: { type: "object" } },
                codes: { type: "array", items: { type: "string" } },
              },
            }),
          },
          "400": errorResponse("Bad check or kind"),
          "404": errorResponse("Unknown id"),
        },
      },
    },
    "/api/messages/{id}/attachments/{aid}": {
      get: {
        summary: "Attachment bytes",
        parameters: [
          idParam,
          { name: "aid", in: "path", required: true, schema: { type: "string" } },
        ],
        responses: {
          "200": { description: "The attachment" },
          "404": errorResponse("Unknown message or attachment"),
        },
      },
    },
    "/api/wait": {
      get: {
        summary: "Long-poll for the first message matching a query",
        parameters: [
          queryParam,
          mailboxParam,
          {
            name: "after",
            in: "query",
            schema: { type: "string" },
            description: "Message id or ISO time; default: the moment of the request",
          },
          {
            name: "timeout",
            in: "query",
            schema: { type: "integer", default: 10000 },
            description: "Milliseconds",
          },
        ],
        responses: {
          "200": {
            description: "The message, analysed",
            ...json({ $ref: "#/components/schemas/Message" }),
          },
          "408": errorResponse("Nothing arrived in time"),
        },
      },
    },
    "/api/events": {
      get: {
        summary: "Server-Sent Events: message.received, message.analyzed, message.deleted",
        parameters: [
          {
            ...mailboxParam,
            description: "Only this mailbox's received and analyzed events (deletions always pass)",
          },
        ],
        responses: { "200": { description: "text/event-stream" } },
      },
    },
    "/api/mailboxes": {
      get: {
        summary:
          "Every mailbox holding messages, with its message count, by name (docs/mailboxes.md)",
        responses: {
          "200": {
            description: "Mailboxes",
            ...json({
              type: "array",
              items: {
                type: "object",
                properties: { name: { type: "string" }, count: { type: "integer" } },
              },
            }),
          },
        },
      },
    },
    "/api/dns": {
      get: {
        summary: "The DNS zone analysis answers from (mailauth dns-cache format)",
        responses: {
          "200": {
            description: "Zone",
            ...json({ type: "object", additionalProperties: { type: "object" } }),
          },
        },
      },
      put: {
        summary: "Replace the DNS zone; the next message analysed uses it",
        requestBody: json({
          type: "object",
          additionalProperties: {
            type: "object",
            additionalProperties: {
              oneOf: [
                { type: "array" },
                { type: "object", properties: { error: { type: "string" } } },
              ],
            },
          },
        }),
        responses: {
          "200": { description: "The zone as installed", ...json({ type: "object" }) },
          "400": errorResponse("Not JSON, or not a zone"),
        },
      },
    },
    "/api/providers": {
      get: {
        summary: "Every provider mock's state",
        responses: {
          "200": { description: "{ providers: [state + name] }", ...json({ type: "object" }) },
        },
      },
    },
    "/api/providers/{name}": {
      parameters: [
        { name: "name", in: "path", required: true, schema: { enum: [...PROVIDER_NAMES] } },
      ],
      get: {
        summary: "One provider's state (docs/providers/README.md, Provider state)",
        responses: {
          "200": { description: "State", ...json({ type: "object" }) },
          "404": errorResponse("Unknown provider"),
        },
      },
      put: {
        summary: "Patch the state: given fields replace, the others stay",
        requestBody: json({ type: "object" }),
        responses: {
          "200": { description: "The new state", ...json({ type: "object" }) },
          "400": errorResponse("Not JSON, or an invalid field"),
        },
      },
      delete: {
        summary: "Back to the configured state; clears the event log",
        responses: { "200": { description: "The state", ...json({ type: "object" }) } },
      },
    },
    "/api/providers/{name}/events": {
      get: {
        summary: "The provider's event log, oldest first",
        parameters: ["type", "recipient", "providerMessageId", "messageId"].map((name) => ({
          name,
          in: "query",
          schema: { type: "string" },
        })),
        responses: {
          "200": {
            description:
              "{ events: [{ id, provider, type, providerMessageId, messageId, recipient, timestamp, data }] }",
            ...json({ type: "object" }),
          },
        },
      },
    },
    "/api/providers/{name}/webhooks": {
      get: {
        summary: "Every webhook delivery attempt",
        responses: { "200": { description: "{ attempts: [...] }", ...json({ type: "object" }) } },
      },
    },
    "/api/providers/{name}/templates/{id}": {
      put: {
        summary: "Register a template { name?, alias?, subject?, html?, text? }",
        requestBody: json({ type: "object" }),
        responses: {
          "200": { description: "The template", ...json({ type: "object" }) },
          "400": errorResponse("Invalid template"),
        },
      },
      delete: {
        summary: "Remove a template",
        responses: {
          "200": { description: "Removed", ...json({ type: "object" }) },
          "404": errorResponse("No such template"),
        },
      },
    },
    "/api/faults": {
      get: {
        summary: "The SMTP fault rules in force",
        responses: {
          "200": {
            description: "{ rules }",
            ...json({
              type: "object",
              properties: {
                rules: { type: "array", items: { $ref: "#/components/schemas/FaultRule" } },
              },
            }),
          },
        },
      },
      put: {
        summary:
          "Replace the SMTP fault rules; counters, rate windows and random generators start afresh",
        requestBody: json({
          type: "object",
          required: ["rules"],
          properties: {
            rules: { type: "array", items: { $ref: "#/components/schemas/FaultRule" } },
          },
        }),
        responses: {
          "200": {
            description: "The rules as installed (defaults filled in)",
            ...json({ type: "object" }),
          },
          "400": errorResponse("Not JSON, or an invalid rule (the message names the field)"),
        },
      },
    },
    "/api/tls/ca.pem": {
      get: {
        summary:
          "The sandbox's test CA (PEM) that signs the expired and wrong-name certificates of TLS fault rules: trust it to see those faults as such",
        responses: {
          "200": {
            description: "PEM certificate",
            content: { "application/x-pem-file": { schema: { type: "string" } } },
          },
        },
      },
    },
    "/api/sessions": {
      get: {
        summary:
          "SMTP session transcripts, newest first (open sessions included); with messageId, the whole session(s) that carried it",
        parameters: [
          { name: "messageId", in: "query", schema: { type: "string" } },
          {
            name: "limit",
            in: "query",
            schema: { type: "integer", minimum: 1, maximum: 1000, default: 50 },
          },
          {
            name: "before",
            in: "query",
            schema: { type: "string" },
            description: "Keyset cursor: the `next` of the previous page",
          },
        ],
        responses: {
          "200": {
            description: "{ sessions: [summary without lines, with lineCount], next }",
            ...json({ type: "object" }),
          },
          "400": errorResponse("Bad parameter"),
        },
      },
    },
    "/api/sessions/{id}": {
      get: {
        summary:
          "One SMTP session: client, TLS, each command and reply (AUTH redacted), faults fired, captured message ids",
        parameters: [idParam],
        responses: {
          "200": { description: "The transcript", ...json({ type: "object" }) },
          "404": errorResponse("Unknown session"),
        },
      },
    },
    "/api/health": {
      get: {
        summary: "Liveness and ports",
        security: [],
        responses: {
          "200": {
            description: "OK",
            ...json({
              type: "object",
              properties: {
                status: { const: "ok" },
                messages: { type: "integer" },
                analysisBacklog: {
                  type: "integer",
                  description: "Messages of this instance whose analysis has not finished yet",
                },
                smtpPort: { type: "integer" },
                httpPort: { type: "integer" },
              },
            }),
          },
        },
      },
    },
    "/api/messages/{id}/release": {
      post: {
        summary: "Relay the captured message through --relay, to `to` or its original recipients",
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
        requestBody: {
          required: false,
          ...json({
            type: "object",
            properties: { to: { type: "array", items: { type: "string", format: "email" } } },
          }),
        },
        responses: {
          "200": {
            description: "Relayed",
            ...json({
              type: "object",
              properties: {
                relayed: { type: "array", items: { type: "string" } },
                reply: { type: "string", description: "The relay's SMTP reply" },
              },
            }),
          },
          "400": { description: "No --relay configured, or a bad body" },
          "403": { description: "A recipient outside --relay-allow (named in the message)" },
          "502": {
            description:
              "The relay refused or could not be reached; the message carries its SMTP reply",
          },
        },
      },
    },
    "/api/messages/{id}/reply": {
      post: {
        summary:
          "Reply to the message as its recipient (In-Reply-To, References, Re:, quoted text) and deliver the reply to --inbound",
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
        requestBody: {
          required: true,
          ...json({
            type: "object",
            required: ["text"],
            properties: {
              text: { type: "string" },
              html: { type: "string" },
              from: {
                type: "string",
                format: "email",
                description: "Default: the message's first To address",
              },
            },
          }),
        },
        responses: {
          "200": {
            description: "Delivered",
            ...json({
              type: "object",
              properties: {
                delivered: { const: true },
                to: { type: "string", description: "The --inbound URL without credentials" },
                status: {
                  type: ["string", "integer"],
                  description: "The SMTP reply or HTTP status",
                },
              },
            }),
          },
          "400": { description: "No --inbound configured, or a bad body" },
          "502": { description: "The --inbound target refused the reply or could not be reached" },
        },
      },
    },
    "/api/messages/{id}/unsubscribe": {
      post: {
        summary:
          "Perform the RFC 8058 one-click unsubscribe POST to the message's List-Unsubscribe URL",
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
        responses: {
          "200": {
            description: "Posted",
            ...json({
              type: "object",
              properties: {
                url: { type: "string" },
                status: { type: "integer" },
                ok: { type: "boolean" },
              },
            }),
          },
          "403": {
            description:
              "The URL's host is not one the live link check allows (--app-url, --allowed-link-hosts)",
          },
          "422": {
            description:
              "No List-Unsubscribe-Post: List-Unsubscribe=One-Click, or no https (or --app-url origin) URL",
          },
          "502": { description: "The POST failed on the network" },
        },
      },
    },
    "/api/relay": {
      get: {
        summary: "Whether a relay is configured, where (without password) and its allow-list",
        responses: {
          "200": {
            description: "Relay settings",
            ...json({
              type: "object",
              properties: {
                enabled: { type: "boolean" },
                target: { type: ["string", "null"] },
                allow: { type: "array", items: { type: "string" } },
              },
            }),
          },
        },
      },
    },
    "/metrics": {
      get: {
        summary:
          "Prometheus metrics: messages received by source, stored, analysis backlog, SMTP sessions, ingest and analysis durations, webhook failures",
        responses: {
          "200": {
            description: "Prometheus text format 0.0.4",
            content: { "text/plain": { schema: { type: "string" } } },
          },
        },
      },
    },
    "/livez": {
      get: {
        summary: "Liveness: the process answers",
        security: [],
        responses: {
          "200": {
            description: "Alive",
            ...json({ type: "object", properties: { status: { const: "ok" } } }),
          },
        },
      },
    },
    "/readyz": {
      get: {
        summary: "Readiness: the listeners are up and the store answers within 2 s",
        security: [],
        responses: {
          "200": {
            description: "Ready",
            ...json({ type: "object", properties: { status: { const: "ok" } } }),
          },
          "503": { description: "Not ready; the error says why" },
        },
      },
    },
    "/api/auth": {
      get: {
        summary:
          "Whether credentials are required, which kinds, and whether this request carries valid ones",
        security: [],
        responses: {
          "200": {
            description: "Status",
            ...json({
              type: "object",
              properties: {
                required: { type: "boolean" },
                methods: { type: "array", items: { enum: ["basic", "token"] } },
                authenticated: { type: "boolean" },
              },
            }),
          },
        },
      },
      post: {
        summary:
          "Trade the API token (Authorization: Bearer) for the web UI's HttpOnly session cookie",
        security: [{ bearer: [] }],
        responses: {
          "204": { description: "Set-Cookie: mailproof_session_<port>" },
          "401": errorResponse("No or wrong token"),
        },
      },
      delete: {
        summary: "Clear the session cookie",
        security: [],
        responses: { "204": { description: "Cleared" } },
      },
    },
  },
  /** With --ui-auth and/or --api-token every path wants one of these; without them, none (loopback only). */
  security: [{}, { basic: [] }, { bearer: [] }],
  components: {
    securitySchemes: {
      basic: { type: "http", scheme: "basic", description: "--ui-auth user:pass" },
      bearer: { type: "http", scheme: "bearer", description: "--api-token TOKEN" },
    },
    schemas: {
      Error: {
        type: "object",
        properties: {
          error: {
            type: "object",
            properties: { code: { type: "string" }, message: { type: "string" } },
            required: ["code", "message"],
          },
        },
      },
      Address: {
        type: "object",
        properties: { name: { type: ["string", "null"] }, address: { type: "string" } },
      },
      Summary: {
        type: "object",
        properties: {
          id: { type: "string" },
          receivedAt: { type: "string", format: "date-time" },
          source: { type: "object" },
          from: { $ref: "#/components/schemas/Address" },
          to: { type: "array", items: { $ref: "#/components/schemas/Address" } },
          subject: { type: ["string", "null"] },
          size: { type: "integer" },
          attachmentCount: { type: "integer" },
          tags: { type: "array", items: { type: "string" } },
          mailbox: { type: "string" },
          read: { type: "boolean" },
          snippet: { type: "string" },
          dmarc: { type: ["string", "null"] },
          findingCount: { type: "integer" },
        },
      },
      MessageList: {
        type: "object",
        properties: {
          messages: { type: "array", items: { $ref: "#/components/schemas/Summary" } },
          total: { type: "integer" },
          next: { type: ["string", "null"] },
        },
      },
      Message: {
        type: "object",
        description:
          "The Summary fields plus headers, text, html, attachments, envelope and analysis (docs/capture-and-search.md)",
        additionalProperties: true,
      },
      FaultRule: {
        type: "object",
        description: "docs/faults-and-transcripts.md, Rules",
        properties: {
          stage: { enum: ["connect", "tls", "auth", "mail", "rcpt", "data"] },
          match: {
            type: "object",
            properties: {
              from: { type: "string" },
              to: { type: "string" },
              user: { type: "string" },
            },
            additionalProperties: false,
          },
          reply: {
            type: "object",
            properties: {
              code: { type: "integer", minimum: 400, maximum: 599 },
              message: { type: "string" },
            },
            required: ["code"],
          },
          delayMs: { type: "integer", minimum: 0 },
          disconnect: { type: "boolean" },
          times: { type: "integer", minimum: 1 },
          probability: { type: "number", minimum: 0, maximum: 1 },
          seed: { type: "integer", minimum: 0 },
          rateLimit: {
            type: "object",
            properties: {
              messages: { type: "integer", minimum: 0 },
              windowMs: { type: "integer", minimum: 1 },
            },
            required: ["messages"],
          },
          tls: {
            type: "object",
            properties: {
              certificate: { enum: ["expired", "wrong-name", "untrusted"] },
              starttls: { enum: ["refuse", "absent", "require"] },
              versions: {
                type: "array",
                items: { enum: ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"] },
              },
            },
            additionalProperties: false,
          },
        },
        additionalProperties: false,
      },
    },
  },
} as const;
