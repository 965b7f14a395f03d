import { hostname, userInfo } from "node:os";
import nodemailer from "nodemailer";
import addressparser from "nodemailer/lib/addressparser/index.js";
import { FIELD_BREAK } from "../core/headers.js";

const HELP = `mailproof sendmail [options] [recipient ...] < message

A sendmail-compatible command that submits the message on standard input to a mailproof
sandbox, so PHP mail(), cron and other sendmail users are captured. Link it into place with
  ln -s "$(command -v mailproof)" /usr/local/bin/sendmail

  --smtp-addr HOST:PORT  sandbox SMTP address (default 127.0.0.1:1025; env MAILPROOF_SMTP_ADDR)
  -t                     also read recipients from To, Cc and Bcc (Bcc is then removed)
  -f ADDR, -fADDR        envelope sender (default: the From header, else user@host)
  -F NAME                full name for a From header that the message lacks
  -i, -oi                a line with a single "." does not end the message
  other -o…/-b…/-O… options are accepted and ignored, as most sendmail replacements do

Exit status follows sysexits.h: 0 sent, 64 usage, 65 no recipients, 69 rejected (5xx),
75 temporary failure (4xx, sandbox not reachable).
`;

const EX_USAGE = 64;
const EX_DATAERR = 65;
const EX_UNAVAILABLE = 69;
const EX_TEMPFAIL = 75;

interface SendmailArgs {
  smtpAddr: string;
  readRecipients: boolean;
  sender: string | null;
  fullName: string | null;
  ignoreDots: boolean;
  recipients: string[];
  help: boolean;
}

/** sendmail's option syntax (`-fADDR`, `-oi`, flags that take the next word), which parseArgs cannot read. */
export function parseSendmailArgs(argv: string[], env: NodeJS.ProcessEnv): SendmailArgs {
  const args: SendmailArgs = {
    smtpAddr: env.MAILPROOF_SMTP_ADDR || "127.0.0.1:1025",
    readRecipients: false,
    sender: null,
    fullName: null,
    ignoreDots: false,
    recipients: [],
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (flag: string) => (arg.length > flag.length ? arg.slice(flag.length) : argv[++i]);
    if (arg === "--help") args.help = true;
    else if (arg === "--smtp-addr") args.smtpAddr = argv[++i];
    else if (arg.startsWith("--smtp-addr=")) args.smtpAddr = arg.slice("--smtp-addr=".length);
    else if (arg === "-t") args.readRecipients = true;
    else if (arg === "-i" || arg === "-oi") args.ignoreDots = true;
    else if (arg.startsWith("-f") || arg.startsWith("-r"))
      args.sender = value(arg.slice(0, 2)) ?? null;
    else if (arg.startsWith("-F")) args.fullName = value("-F") ?? null;
    else if (arg === "--") args.recipients.push(...argv.splice(i + 1));
    else if (/^-(o|b|O|B|N|R|V|X|L|q|v|m|e|U|G|n|d|A|h|C)/.test(arg)) {
      // Delivery-mode and queue options mean nothing for a sandbox; those taking a word skip it.
      if (/^-(O|B|N|R|V|X|L|A|C|h)$/.test(arg)) i++;
    } else if (arg.startsWith("-"))
      throw Object.assign(new Error(`unknown option ${arg}`), { exitCode: EX_USAGE });
    else
      args.recipients.push(
        ...arg
          .split(",")
          .map((r) => r.trim())
          .filter(Boolean),
      );
  }
  return args;
}

async function readStdin(ignoreDots: boolean): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  let text = Buffer.concat(chunks).toString("utf8");
  if (!ignoreDots) {
    // Classic sendmail: a line holding only "." ends the message.
    const end = text.search(/(^|\r?\n)\.\r?\n|(^|\r?\n)\.$/);
    if (end >= 0) text = text.slice(0, end) + (end > 0 ? "\n" : "");
  }
  return text;
}

function splitMessage(text: string): { head: string; body: string } {
  const end = text.search(/\r?\n\r?\n/);
  return end >= 0
    ? { head: text.slice(0, end), body: text.slice(end) }
    : { head: text, body: "\n" };
}

function headerValues(head: string, name: string): string[] {
  return head
    .split(FIELD_BREAK)
    .filter((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`))
    .map((line) =>
      line
        .slice(name.length + 1)
        .replace(/\r?\n[ \t]+/g, " ")
        .trim(),
    );
}

function addresses(values: string[]): string[] {
  return values
    .flatMap((v) => addressparser(v, { flatten: true }))
    .map((a) => a.address)
    .filter((a): a is string => Boolean(a));
}

export async function sendmail(argv: string[]): Promise<number> {
  let args: SendmailArgs;
  try {
    args = parseSendmailArgs(argv, process.env);
  } catch (err) {
    process.stderr.write(`mailproof sendmail: ${(err as Error).message}\n`);
    return EX_USAGE;
  }
  if (args.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(args.smtpAddr ?? "");
  if (!match) {
    process.stderr.write(
      `mailproof sendmail: --smtp-addr must be host:port, not "${args.smtpAddr}"\n`,
    );
    return EX_USAGE;
  }

  const split = splitMessage(await readStdin(args.ignoreDots));
  const body = split.body;
  let head = split.head;
  const recipients = [...args.recipients];
  if (args.readRecipients) {
    recipients.push(
      ...addresses([
        ...headerValues(head, "to"),
        ...headerValues(head, "cc"),
        ...headerValues(head, "bcc"),
      ]),
    );
    // Bcc recipients must not see each other (RFC 5322 §3.6.3): sendmail -t strips the header.
    head = head
      .split(FIELD_BREAK)
      .filter((line) => !/^bcc:/i.test(line))
      .join("\n");
  }
  if (recipients.length === 0) {
    process.stderr.write("mailproof sendmail: no recipients (give them as arguments or use -t)\n");
    return EX_DATAERR;
  }
  const fromHeader = addresses(headerValues(head, "from"))[0];
  const sender = args.sender ?? fromHeader ?? `${userInfo().username}@${hostname()}`;
  if (!fromHeader)
    head = `From: ${args.fullName ? `"${args.fullName.replaceAll('"', "")}" ` : ""}<${sender}>\n${head}`;

  const transport = nodemailer.createTransport({
    host: match[1],
    port: Number(match[2]),
    tls: { rejectUnauthorized: false },
  });
  try {
    await transport.sendMail({
      envelope: { from: sender, to: [...new Set(recipients)] },
      raw: `${head}${body}`,
    });
    return 0;
  } catch (err) {
    const e = err as Error & { responseCode?: number; response?: string };
    process.stderr.write(`mailproof sendmail: ${e.response ?? e.message}\n`);
    return e.responseCode && e.responseCode >= 500 ? EX_UNAVAILABLE : EX_TEMPFAIL;
  } finally {
    transport.close();
  }
}
