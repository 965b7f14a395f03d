import { Hono } from "hono";
import { MailproofError } from "../../../core/errors.js";
import { checkTags } from "../../../limits/tags.js";
import type { MailpitContext } from "./context.js";

/** Mailpit's tag API: list, set on IDs (replacing theirs), rename and delete everywhere. */
export function tagRoutes(ctx: MailpitContext): Hono {
  const { deps, ok, readJson, page } = ctx;
  const { store } = deps;
  const api = new Hono();

  api.get("/tags", async (c) => c.json((await store.tags()).map((t) => t.tag)));
  api.put("/tags", async (c) => {
    const body = await readJson(c);
    const ids = Array.isArray(body.IDs) ? body.IDs.map(String) : [];
    const tags = checkTags(Array.isArray(body.Tags) ? body.Tags.map(String) : [], "Tags");
    await Promise.all(ids.map((id) => store.update(id, { tags })));
    return ok(c);
  });

  const retag = async (tag: string, replace: (tags: string[]) => string[]) => {
    const { messages } = await page(
      { terms: [{ kind: "field", field: "tag", value: tag.toLowerCase(), negate: false }] },
      0,
      Number.MAX_SAFE_INTEGER,
    );
    await Promise.all(
      messages.map((m) => store.update(m.id, { tags: [...new Set(replace(m.tags))] })),
    );
  };
  api.put("/tags/:tag", async (c) => {
    const body = await readJson(c);
    const from = c.req.param("tag");
    const to = typeof body.Name === "string" ? body.Name.trim() : "";
    if (!to) throw new MailproofError("BAD_REQUEST", "Name is required");
    checkTags([to], "Name");
    await retag(from, (tags) => tags.map((t) => (t.toLowerCase() === from.toLowerCase() ? to : t)));
    return ok(c);
  });
  api.delete("/tags/:tag", async (c) => {
    const tag = c.req.param("tag");
    await retag(tag, (tags) => tags.filter((t) => t.toLowerCase() !== tag.toLowerCase()));
    return ok(c);
  });
  return api;
}
