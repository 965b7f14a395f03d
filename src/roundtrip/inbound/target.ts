import nodemailer from "nodemailer";
import type { Logger } from "pino";
import { MailproofError } from "../../core/errors.js";
import type { BuiltMessage } from "../mime.js";
import { HTTP_FORMATS, type HttpFormat, type SigningKeys } from "./http-formats.js";

interface InboundResult {
  /** The receiver's answer: the SMTP reply line or the HTTP status. */
  status: string | number;
}

export interface InboundTarget {
  /** The URL without credentials, for responses and logs. */
  display: string;
  deliver(mail: BuiltMessage): Promise<InboundResult>;
  close(): void;
}

interface InboundDeps {
  logger: Logger;
  /** Keys the provider formats sign with: the same the provider mocks sign their webhooks with. */
  keys: SigningKeys;
  /** How long one delivery may take. @default 10000 */
  timeoutMs?: number;
}

/** Checks an `--inbound` URL at start: `smtp://host:port` or `<format>+http(s)://…`. */
export function parseInboundUrl(value: string): { format: "smtp" | HttpFormat; url: URL } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new MailproofError(
      "CONFIG_INVALID",
      `--inbound "${value}" is not a URL: give smtp://host:port or e.g. postmark+http://127.0.0.1:3000/inbound`,
    );
  }
  const scheme = url.protocol.slice(0, -1);
  if (scheme === "smtp") return { format: "smtp", url };
  const [format, transport] = scheme.split("+");
  if ((transport === "http" || transport === "https") && format && format in HTTP_FORMATS) {
    return { format: format as HttpFormat, url: new URL(value.slice(format.length + 1)) };
  }
  throw new MailproofError(
    "CONFIG_INVALID",
    `--inbound "${redact(url)}": use smtp://host:port or ${Object.keys(HTTP_FORMATS)
      .map((f) => `${f}+http://…`)
      .join(", ")}`,
  );
}

/** The URL with any user, password or query token removed. */
export function redact(url: URL): string {
  const shown = new URL(url);
  shown.username = "";
  shown.password = "";
  shown.search = "";
  return shown.toString();
}

export function createInboundTarget(deps: InboundDeps, value: string): InboundTarget {
  const { format, url } = parseInboundUrl(value);
  const timeout = deps.timeoutMs ?? 10_000;
  const display = format === "smtp" ? redact(url) : `${format}+${redact(url)}`;
  const fail = (err: unknown, detail: string) => {
    deps.logger.warn({ err, inbound: display }, "round trip: --inbound delivery failed");
    return new MailproofError("RELAY_FAILED", `${display} did not take the message: ${detail}`, {
      cause: err,
    });
  };
  if (format === "smtp") {
    const transport = nodemailer.createTransport({
      host: url.hostname,
      port: Number(url.port || 25),
      secure: false,
      auth: url.username
        ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
        : undefined,
      // A local app's test SMTP server rarely has a certificate a client would trust.
      tls: { rejectUnauthorized: false },
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    });
    return {
      display,
      async deliver(mail) {
        try {
          const info = await transport.sendMail({
            envelope: { from: mail.mailFrom, to: mail.rcptTo },
            raw: mail.raw,
          });
          return { status: info.response };
        } catch (err) {
          const smtp = err as { response?: string; message: string };
          throw fail(err, smtp.response ?? smtp.message);
        }
      },
      close: () => transport.close(),
    };
  }
  const encode = HTTP_FORMATS[format];
  return {
    display,
    async deliver(mail) {
      const request = await encode(mail, deps.keys);
      let response: Response;
      try {
        response = await fetch(url, {
          method: "POST",
          body: request.body,
          headers: request.headers,
          signal: AbortSignal.timeout(timeout),
          redirect: "manual",
        });
        await response.arrayBuffer();
      } catch (err) {
        throw fail(err, (err as Error).message);
      }
      if (!response.ok) throw fail(null, `HTTP ${response.status}`);
      return { status: response.status };
    },
    close: () => undefined,
  };
}
