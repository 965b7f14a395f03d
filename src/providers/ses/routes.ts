/**
 * The SES API below `/ses`: v2 `POST /v2/email/outbound-emails` (restJson1) and the v1 query API
 * (`POST /` with `Action=…`, awsQuery). Point the SDKs' `endpoint` at `http://HOST:PORT/ses`.
 * Order of checks as SES makes them: credentials, throttling, validation, then the send itself.
 */

import { Hono, type Context } from "hono";
import { isApiKeyAllowed, isSuppressed } from "../shared/checks.js";
import type { ProviderContext } from "../shared/context.js";
import { refusalOf, type RenderRefusal } from "../shared/refusal.js";
import type { FaultOutcome } from "../shared/faults.js";
import { readCredentials, type SesCredentials } from "./auth.js";
import { isSesError, SesError } from "./errors.js";
import { v1Error, v1Success, v2Error, v2Success } from "./responses.js";
import { SNS_SIGNING_CERT } from "./sns.js";
import type { SesSendRequest } from "./send-request.js";
import { allRecipients } from "./send-request.js";
import { sendSes } from "./send.js";
import { isV1SendAction, parseV1Send } from "./v1-request.js";
import { parseV2SendEmail } from "./v2-request.js";

type Api = "v1" | "v2";

/** SES takes messages up to 40 MB; a request carries one base64-encoded (4/3 the size). */
const MAX_MESSAGE = 40 * 1024 * 1024;
export const MAX_BODY = Math.ceil((MAX_MESSAGE * 4) / 3) + 1024 * 1024;

export function sesRoutes(ctx: ProviderContext): Hono {
  const app = new Hono();

  const fail = (api: Api, error: SesError, headers: Record<string, string> = {}) => {
    const response = api === "v1" ? v1Error(error) : v2Error(error);
    for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
    return response;
  };

  /** Credentials and throttling come before the body is even read. */
  const gate = (c: Context): SesCredentials => {
    const credentials = readCredentials(c.req.header("authorization"), new URL(c.req.url));
    if (!credentials) throw new SesError("missingAuth", "Missing Authentication Token");
    if (!isApiKeyAllowed(ctx.state(), credentials.accessKeyId)) {
      throw new SesError("invalidToken", "The security token included in the request is invalid.");
    }
    const limit = ctx.rateLimit();
    if (limit && !limit.allowed) throw new SesError("throttling", "Maximum sending rate exceeded.");
    if (ctx.state().paused)
      throw new SesError("sendingPaused", "Sending is paused for this account.");
    return credentials;
  };

  const send = async (
    c: Context,
    api: Api,
    credentials: SesCredentials,
    request: SesSendRequest,
  ): Promise<Response | string> => {
    const destination = request.destination;
    const fault = await ctx.fault(
      { from: request.from, to: destination ? allRecipients(destination) : [] },
      c.req.raw.signal,
    );
    if (fault === "hung") return fail(api, new SesError("unavailable", "The client went away."));
    if (fault) return faultResponse(api, fault);
    const base = new URL(c.req.url);
    return sendSes(ctx, request, credentials, {
      signingCertUrl: `${base.origin}/ses/sns-signing-cert.pem`,
      unsubscribeUrl: `${base.origin}/ses/sns-unsubscribe`,
    });
  };

  const faultResponse = (api: Api, fault: FaultOutcome) => {
    const error =
      fault.status === 429
        ? new SesError("throttling", "Maximum sending rate exceeded.", 429)
        : fault.status === 503
          ? new SesError("unavailable", "Service Unavailable", 503)
          : new SesError("internal", "Internal Failure", fault.status);
    ctx.logger.info({ status: fault.status, api }, "ses fault rule fired");
    return fail(
      api,
      error,
      fault.status === 429 ? { "retry-after": String(fault.retryAfter) } : {},
    );
  };

  // The account-level suppression list, one address (GetSuppressedDestination, SES API v2).
  app.get("/v2/email/suppression/addresses/:email", (c) => {
    try {
      const credentials = readCredentials(c.req.header("authorization"), new URL(c.req.url));
      if (!credentials) throw new SesError("missingAuth", "Missing Authentication Token");
      if (!isApiKeyAllowed(ctx.state(), credentials.accessKeyId))
        throw new SesError(
          "invalidToken",
          "The security token included in the request is invalid.",
        );
      const email = decodeURIComponent(c.req.param("email")).toLowerCase();
      if (!isSuppressed(ctx.state(), email))
        throw new SesError("notFound", `${email} does not exist on your suppression list`);
      return v2Success({
        SuppressedDestination: {
          EmailAddress: email,
          Reason: "BOUNCE",
          LastUpdateTime: new Date().toISOString(),
          Attributes: {},
        },
      });
    } catch (err) {
      return handle("v2", err);
    }
  });

  app.post("/v2/email/outbound-emails", async (c) => {
    try {
      const credentials = gate(c);
      let body: unknown;
      try {
        body = JSON.parse(await c.req.text());
      } catch {
        throw new SesError("serialization", "Request body is not valid JSON.");
      }
      const result = await send(c, "v2", credentials, parseV2SendEmail(body));
      return typeof result === "string" ? v2Success({ MessageId: result }) : result;
    } catch (err) {
      return handle("v2", err);
    }
  });

  // The query API accepts its parameters in a form body (what the SDK sends) or the query string.
  // A GET sends mail, as on real SES (presigned URLs); one a web page makes (an <img> in a
  // message, a link) never gets here: src/api/cross-site.ts refuses pages on every provider path.
  const queryApi = async (c: Context) => {
    try {
      const params = new URLSearchParams(new URL(c.req.url).search);
      if (c.req.method === "POST")
        for (const [key, value] of new URLSearchParams(await c.req.text()))
          params.append(key, value);
      const action = params.get("Action");
      if (!action)
        throw new SesError(
          "invalidAction",
          "Could not find operation to perform: missing Action parameter.",
        );
      if (!isV1SendAction(action))
        throw new SesError(
          "invalidAction",
          `The action ${action} is not valid for this web service.`,
        );
      const credentials = gate(c);
      const result = await send(c, "v1", credentials, parseV1Send(action, params));
      return typeof result === "string" ? v1Success(action, { MessageId: result }) : result;
    } catch (err) {
      return handle("v1", err);
    }
  };
  app.on(["GET", "POST"], "/", queryApi);

  app.get("/sns-signing-cert.pem", (c) =>
    c.body(SNS_SIGNING_CERT, 200, { "content-type": "application/x-pem-file" }),
  );
  // SNS confirms an unsubscribe with XML; mailproof has nothing to unsubscribe from.
  app.get("/sns-unsubscribe", () => v1Success("Unsubscribe", {}));

  app.all("*", (c) => {
    // The SDK posts the query API to the endpoint path plus "/" (`/ses/`), which the mount's
    // "/" route does not match.
    if (c.req.path === "/ses/" && (c.req.method === "GET" || c.req.method === "POST"))
      return queryApi(c);
    const error = new SesError("notFound", `No operation at ${c.req.method} ${c.req.path}.`);
    return c.req.path.includes("/v2/") ? v2Error(error) : v1Error(error);
  });

  const handle = (api: Api, err: unknown): Response => {
    const refusal = refusalOf(err);
    if (refusal) return refuseSes(api, refusal);
    if (isSesError(err)) {
      ctx.logger.info(
        { api, code: api === "v1" ? err.spec.v1 : err.spec.v2, message: err.message },
        "ses request rejected",
      );
      return fail(api, err);
    }
    ctx.logger.error({ err, api }, "ses request failed");
    return fail(
      api,
      new SesError("internal", "An internal error occurred; see the mailproof log."),
    );
  };

  return app;
}

/** SES refuses a message too large (or otherwise unacceptable) with MessageRejected, and asks to retry with ServiceUnavailable. */
function refuseSes(api: Api, refusal: Parameters<RenderRefusal>[1]): Response {
  const error =
    refusal.kind === "busy"
      ? new SesError("unavailable", "Service Unavailable")
      : new SesError("messageRejected", refusal.message);
  const response = api === "v1" ? v1Error(error) : v2Error(error);
  if (refusal.kind === "busy") response.headers.set("retry-after", String(refusal.retryAfter));
  return response;
}

export const refuseSesRequest: RenderRefusal = (c, refusal) =>
  refuseSes(c.req.path.includes("/v2/") ? "v2" : "v1", refusal);
