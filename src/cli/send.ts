import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { parseArgs } from "node:util";
import nodemailer from "nodemailer";

const HELP = `mailproof send [options]   send a test message to any SMTP server

  --host HOST        server (default 127.0.0.1)
  --port N           port (default 1025)
  --secure           implicit TLS (SMTPS, usually port 465)
  --require-tls      fail unless STARTTLS succeeds
  --ignore-tls       never use STARTTLS
  --verify-tls       reject certificates that do not verify (default: accept, for sandboxes)
  --user U --pass P  AUTH credentials
  --from ADDR        sender (default mailproof@localhost)
  --to ADDR          recipient; repeatable or comma-separated (required)
  --cc ADDR, --bcc ADDR
  --subject TEXT     (default "mailproof test message")
  --text TEXT, --html HTML
  --attach FILE      attachment; repeatable
  --header "Name: value"   extra header; repeatable

Prints the server's replies; exits 1 if the server did not accept the message.
`;

const FLAGS = {
  host: { type: "string", default: "127.0.0.1" },
  port: { type: "string", default: "1025" },
  secure: { type: "boolean", default: false },
  "require-tls": { type: "boolean", default: false },
  "ignore-tls": { type: "boolean", default: false },
  "verify-tls": { type: "boolean", default: false },
  user: { type: "string" },
  pass: { type: "string" },
  from: { type: "string", default: "mailproof@localhost" },
  to: { type: "string", multiple: true },
  cc: { type: "string", multiple: true },
  bcc: { type: "string", multiple: true },
  subject: { type: "string", default: "mailproof test message" },
  text: { type: "string" },
  html: { type: "string" },
  attach: { type: "string", multiple: true },
  header: { type: "string", multiple: true },
  help: { type: "boolean", short: "h" },
} as const;

const list = (values: string[] | undefined) =>
  (values ?? [])
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter(Boolean);

export async function send(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: FLAGS, strict: true });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const to = list(values.to);
  if (to.length === 0) {
    process.stderr.write("mailproof send: --to is required\n");
    return 2;
  }
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const transport = nodemailer.createTransport({
    host: values.host,
    port: Number(values.port),
    secure: values.secure,
    requireTLS: values["require-tls"],
    ignoreTLS: values["ignore-tls"],
    auth: values.user ? { user: values.user, pass: values.pass ?? "" } : undefined,
    tls: { rejectUnauthorized: values["verify-tls"] },
    logger: protocolLogger(print),
    debug: true,
  });
  const headers = Object.fromEntries(
    (values.header ?? []).map((h) => {
      const colon = h.indexOf(":");
      return [h.slice(0, colon).trim(), h.slice(colon + 1).trim()];
    }),
  );
  try {
    const info = await transport.sendMail({
      from: values.from,
      to,
      cc: list(values.cc),
      bcc: list(values.bcc),
      subject: values.subject,
      text: values.text ?? (values.html ? undefined : "Sent by mailproof send."),
      html: values.html,
      headers,
      attachments: (values.attach ?? []).map((path) => ({
        filename: basename(path),
        content: readFileSync(path),
      })),
    });
    print(`accepted: ${info.accepted.join(", ") || "none"}`);
    if (info.rejected.length > 0) print(`rejected: ${info.rejected.join(", ")}`);
    return info.rejected.length > 0 ? 1 : 0;
  } catch (err) {
    const e = err as Error & { response?: string; responseCode?: number };
    process.stderr.write(`mailproof send: ${e.response ?? e.message}\n`);
    return 1;
  } finally {
    transport.close();
  }
}

/** nodemailer's debug log carries each server reply as a "server" transaction; print those. */
function protocolLogger(print: (line: string) => void) {
  // The %s arguments nodemailer logs are strings and numbers (an address may be undefined).
  const log = (
    entry: { tnx?: string } | string,
    message?: string,
    ...args: Array<string | number | undefined>
  ) => {
    if (typeof entry !== "object" || entry.tnx !== "server" || !message) return;
    let i = 0;
    const text = message.replace(/%s/g, () => String(args[i++] ?? ""));
    for (const line of text.split(/\r?\n/)) if (line) print(`S: ${line}`);
  };
  return {
    trace: log,
    debug: log,
    info: log,
    warn: log,
    error: log,
    fatal: log,
    level: () => undefined,
  };
}
