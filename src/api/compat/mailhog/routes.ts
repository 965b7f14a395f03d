import { Hono, type Context } from "hono";
import type { ApiDeps } from "../../deps.js";
import { intParam } from "../../params.js";
import { MailproofError } from "../../../core/errors.js";
import type { Message } from "../../../core/types.js";
import { parseQuery, type Term } from "../../../store/query.js";
import type { Store } from "../../../store/store.js";
import { offsetPage } from "../paging.js";
import { mimeTree } from "./mime-tree.js";

/** MailHog's `{ Mailbox, Domain }` path form of an address. */
function path(address: string | null) {
  const at = (address ?? "").lastIndexOf("@");
  return {
    Relays: null,
    Mailbox: at >= 0 ? address!.slice(0, at) : (address ?? ""),
    Domain: at >= 0 ? address!.slice(at + 1) : "",
    Params: "",
  };
}

async function mailhogMessage(store: Store, message: Message) {
  const data = (await store.raw(message.id))?.toString("utf8") ?? "";
  const tree = mimeTree(data);
  return {
    ID: message.id,
    From: path(message.envelope.mailFrom ?? message.from?.address ?? null),
    To: message.envelope.rcptTo.map(path),
    Content: { Headers: tree.Headers, Body: tree.Body, Size: tree.Size, MIME: null },
    Created: message.receivedAt,
    MIME: tree.MIME,
    Raw: {
      From: message.envelope.mailFrom ?? "",
      To: message.envelope.rcptTo,
      Data: data,
      Helo: message.envelope.helo ?? "",
    },
  };
}

/** MailHog's search kinds expressed as our query terms. */
function searchTerm(kind: string, value: string): Term {
  const lower = value.toLowerCase();
  switch (kind) {
    case "from":
      return { kind: "field", field: "from", value: lower, negate: false };
    case "to":
      return { kind: "field", field: "to", value: lower, negate: false };
    case "containing": {
      const [term] = parseQuery(`"${value.replaceAll('"', " ")}"`).terms;
      if (term) return term;
      throw new MailproofError("BAD_QUERY", "query must contain letters or digits");
    }
    default:
      throw new MailproofError("BAD_QUERY", `kind must be from, to or containing, not "${kind}"`);
  }
}

/**
 * MailHog's API: v2 (`/api/v2/messages`, `/api/v2/search`) and the v1 routes its clients still
 * use (`/api/v1/messages/{id}` get/delete, `/download`). Deleting all (`DELETE /api/v1/messages`)
 * is shared with Mailpit's route of the same path.
 */
export function mailhogRoutes(deps: ApiDeps): { v1: Hono; v2: Hono } {
  const { store, events } = deps;
  const list = async (c: Context, terms: Term[]) => {
    const start = intParam(c.req.query("start"), "start", 0, 0, 1_000_000);
    const limit = intParam(c.req.query("limit"), "limit", 50, 1, 5000);
    const { total, messages } = await offsetPage(store, { terms }, start, limit);
    return c.json({
      total,
      count: messages.length,
      start,
      items: await Promise.all(messages.map((m) => mailhogMessage(store, m))),
    });
  };

  const v2 = new Hono();
  v2.get("/messages", (c) => list(c, []));
  v2.get("/search", (c) => {
    const query = c.req.query("query");
    if (!query) throw new MailproofError("BAD_QUERY", "query is required");
    return list(c, [searchTerm(c.req.query("kind") ?? "containing", query)]);
  });

  const load = async (id: string) => {
    const message = await store.get(id);
    if (!message) throw new MailproofError("NOT_FOUND", `no message with ID "${id}"`);
    return message;
  };
  const v1 = new Hono();
  v1.get("/messages/:id", async (c) =>
    c.json(await mailhogMessage(store, await load(c.req.param("id")))),
  );
  v1.get("/messages/:id/download", async (c) => {
    const message = await load(c.req.param("id"));
    const raw = (await store.raw(message.id)) ?? Buffer.alloc(0);
    return c.body(new Uint8Array(raw), 200, {
      "Content-Type": "message/rfc822",
      "Content-Disposition": `attachment; filename="${message.id}.eml"`,
    });
  });
  v1.delete("/messages/:id", async (c) => {
    const deleted = await store.deleteIds([c.req.param("id")]);
    if (deleted.length === 0)
      throw new MailproofError("NOT_FOUND", `no message with ID "${c.req.param("id")}"`);
    events.emit("message.deleted", { ids: deleted });
    return c.body(null, 200);
  });
  v1.post("/messages/:id/release", () => {
    throw new MailproofError(
      "BAD_REQUEST",
      "message release is not supported: mailproof never delivers captured mail",
    );
  });
  return { v1, v2 };
}
