import type { MiddlewareHandler } from "hono";
import { errorBody } from "./errors.js";

/**
 * Request bodies under /api must be labelled with what the route reads. A page on another origin
 * can only send a body without a CORS preflight as text/plain, urlencoded or multipart (an HTML
 * form, or fetch in no-cors mode), so refusing those (and an unlabelled body) means no form can
 * post mail or settings here even where a browser sends neither Origin nor Sec-Fetch-Site.
 */
const JSON_TYPES = ["application/json"];
/** Raw RFC 5322 uploads: `message/rfc822` (RFC 2046 §5.2.1), or plain bytes. */
const MESSAGE_TYPES = ["message/rfc822", "application/octet-stream"];

/** Routes whose body is not JSON, by method and exact path. */
const NON_JSON: Record<string, string[]> = {
  "POST /api/messages": MESSAGE_TYPES,
};

/** The media type without parameters, lower case (RFC 9110 §8.3.1). */
function essence(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0].trim().toLowerCase();
}

function hasBody(header: (name: string) => string | undefined): boolean {
  const length = header("content-length");
  if (length !== undefined) return length.trim() !== "0";
  return header("transfer-encoding") !== undefined;
}

/** 415 `UNSUPPORTED_MEDIA_TYPE` for a body on /api whose Content-Type is not the route's. */
export function requireBodyType(): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD" || c.req.method === "OPTIONS")
      return next();
    if (!hasBody((name) => c.req.header(name))) return next();
    const accepted = NON_JSON[`${c.req.method} ${c.req.path.replace(/\/$/, "")}`] ?? JSON_TYPES;
    const given = essence(c.req.header("content-type"));
    if (accepted.includes(given) || (accepted === JSON_TYPES && given.endsWith("+json")))
      return next();
    const message = `${c.req.method} ${c.req.path} takes ${accepted.join(" or ")}, not ${given || "an unlabelled body"}: send Content-Type: ${accepted[0]}${accepted === MESSAGE_TYPES ? uploadHint(c.req.url) : ""}`;
    return c.json(errorBody("UNSUPPORTED_MEDIA_TYPE", message), 415);
  };
}

/**
 * curl's habits send an upload as a form: `-F file=@m.eml` wraps it in multipart/form-data and
 * `-d @m.eml` also strips its line breaks. Say how to send the file unchanged.
 */
function uploadHint(url: string): string {
  return `, the file unchanged: curl --data-binary @m.eml -H 'Content-Type: message/rfc822' ${new URL("/api/messages", url).toString()}`;
}
