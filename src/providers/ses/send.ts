/**
 * One SES send after decoding: template rendering, the identity checks SES makes (verified
 * sender; in the sandbox, verified recipients, the mailbox simulator exempt), capture of what
 * would be delivered, and the notifications each recipient's outcome produces.
 */

import { findTemplate, renderTemplate, TemplateRenderError } from "../shared/templates.js";
import { domainOf, isRecipientAllowed, isSenderVerified, isSuppressed } from "../shared/checks.js";
import type { ProviderContext } from "../shared/context.js";
import type { NewProviderEvent } from "../shared/types.js";
import type { SesCredentials } from "./auth.js";
import { composeSes, type RenderedTemplate } from "./compose.js";
import { notVerified, SesError } from "./errors.js";
import { sesMessageId, sesMessageIdHeader } from "./ids.js";
import { notificationsFor, type SesMailFacts } from "./notifications.js";
import { headerValue, rawHeaders } from "../shared/raw-headers.js";
import type { SesSendRequest } from "./send-request.js";
import {
  accountSuppressed,
  isSimulatorAddress,
  simulatorOutcome,
  type SesOutcome,
} from "./simulator.js";

/** SES signs every message with its own amazonses.com key besides the sender's domain key. */
const PROVIDER_DKIM_DOMAIN = "amazonses.com";

/** Where the SNS envelope's signing certificate and unsubscribe link point (this mock's `/ses`). */
interface SnsLinks {
  signingCertUrl: string;
  unsubscribeUrl: string;
}

export async function sendSes(
  ctx: ProviderContext,
  request: SesSendRequest,
  credentials: SesCredentials,
  sns: SnsLinks,
): Promise<string> {
  const state = ctx.state();
  const id = sesMessageId();
  const composed = composeSes(
    request,
    sesMessageIdHeader(id, credentials.region),
    id,
    renderIfTemplate(ctx, request),
  );

  if (!isSenderVerified(state, composed.from))
    throw notVerified(credentials.region, [plain(composed.from)]);
  const blocked = composed.recipients.filter(
    (to) => !isSimulatorAddress(to) && !isRecipientAllowed(state, to),
  );
  if (blocked.length > 0) throw notVerified(credentials.region, blocked.map(plain));

  const outcomes = new Map<string, SesOutcome>(
    composed.recipients.map((to) => [
      to,
      simulatorOutcome(to) ?? (isSuppressed(state, to) ? accountSuppressed : { kind: "delivery" }),
    ]),
  );
  const delivered = composed.recipients.filter((to) => outcomes.get(to)!.kind !== "bounce");
  const tags = request.tags.map((tag) => `${tag.name}:${tag.value}`);
  let capturedId: string | null = null;
  let size = 0;
  let headers = composed.payload.kind === "raw" ? rawHeaders(composed.payload.raw) : [];
  if (delivered.length > 0) {
    const mail =
      composed.payload.kind === "mail" ? composed.payload.mail : { raw: composed.payload.raw };
    const message = await ctx.capture({
      providerMessageId: id,
      mail,
      envelope: { from: composed.envelopeFrom, to: delivered },
      tags,
      apiKey: credentials.accessKeyId,
      dkimDomains: [domainOf(composed.from), PROVIDER_DKIM_DOMAIN],
    });
    capturedId = message.id;
    size = message.size;
    // Notifications list the headers of the message as SES sent it.
    headers = message.headers;
  }

  const subject =
    composed.payload.kind === "mail"
      ? (composed.payload.mail.subject ?? null)
      : headerValue(rawHeaders(composed.payload.raw), "subject");
  const facts: SesMailFacts = {
    messageId: id,
    timestamp: new Date().toISOString(),
    source: plain(composed.from),
    destination: composed.recipients,
    region: credentials.region,
    sourceIp: "127.0.0.1",
    headers,
    commonHeaders: {
      from: [composed.from],
      to: composed.destination.to,
      ...(composed.destination.cc.length > 0 ? { cc: composed.destination.cc } : {}),
      subject,
      messageId: id,
      date: new Date().toUTCString(),
    },
    tags: Object.fromEntries(request.tags.map((tag) => [tag.name, [tag.value]])),
  };
  const events: NewProviderEvent[] = [
    {
      type: "Send",
      providerMessageId: id,
      messageId: capturedId,
      recipient: null,
      data: { mail: { ...facts, size } },
    },
  ];
  for (const recipient of composed.recipients) {
    for (const notification of notificationsFor(facts, recipient, outcomes.get(recipient)!)) {
      events.push({
        type: notification.notificationType,
        providerMessageId: id,
        messageId: notification.notificationType === "Bounce" ? null : capturedId,
        recipient,
        data: { ...notification, sns: { region: credentials.region, ...sns } },
      });
    }
  }
  ctx.emit(events);
  ctx.logger.info(
    {
      providerMessageId: id,
      api: request.api,
      action: request.action,
      recipients: composed.recipients.length,
      captured: capturedId,
    },
    "ses send",
  );
  return id;
}

function renderIfTemplate(ctx: ProviderContext, request: SesSendRequest): RenderedTemplate | null {
  const content = request.content;
  if (content.kind !== "template") return null;
  const template = content.inline
    ? {
        name: null,
        alias: null,
        subject: content.inline.subject,
        text: content.inline.text,
        html: content.inline.html,
      }
    : findTemplate(ctx.state().templates, content.name ?? "");
  if (!template) {
    // v2 answers NotFoundException; v1 TemplateDoesNotExist with the same wording.
    throw new SesError("templateMissing", `Template ${content.name} does not exist.`);
  }
  let data: unknown;
  try {
    data = JSON.parse(content.data);
  } catch {
    throw new SesError("invalidParameter", "Template data is not valid JSON.");
  }
  if (typeof data !== "object" || data === null || Array.isArray(data))
    throw new SesError("invalidParameter", "Template data must be a JSON object.");
  try {
    const rendered = renderTemplate(template, data as Record<string, unknown>);
    return { subject: rendered.subject ?? "", text: rendered.text, html: rendered.html };
  } catch (err) {
    if (err instanceof TemplateRenderError) throw new SesError("renderingAttribute", err.message);
    throw err;
  }
}

/** The bare address of `Name <a@b>`, as SES names identities in its messages. */
function plain(address: string): string {
  const angle = address.match(/<([^>]*)>\s*$/);
  return (angle ? angle[1] : address).trim();
}
