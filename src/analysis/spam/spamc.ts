import { connect } from "node:net";
import { MailproofError } from "../../core/errors.js";

export interface SpamRule {
  name: string;
  score: number;
  description: string;
}

/** SpamAssassin's verdict stored as `analysis.spam`. */
export interface SpamReport {
  score: number;
  threshold: number;
  isSpam: boolean;
  rules: SpamRule[];
}

export interface SpamdAddress {
  host: string;
  port: number;
}

export interface SpamcOptions {
  /** Give up on spamd after this long. @default 30000 */
  timeoutMs?: number;
}

/** `host:port` (IPv6 as `[::1]:783`); spamd's default port is 783. */
export function parseSpamdAddress(value: string): SpamdAddress {
  const match = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(value.trim());
  const port = Number(match?.[2] ?? 783);
  if (!match || !match[1] || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new MailproofError("CONFIG_INVALID", `--spamd must be host:port, not "${value}"`);
  }
  return { host: match[1], port };
}

/**
 * Asks spamd for a REPORT over the SPAMC/1.5 protocol (SpamAssassin's spamd/PROTOCOL): one
 * request per connection, headers then the message; the reply's `Spam:` header carries the
 * score and threshold, its body the rule table.
 */
export function spamcReport(
  address: SpamdAddress,
  raw: Buffer,
  options: SpamcOptions = {},
): Promise<SpamReport> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const socket = connect(address.port, address.host);
    const chunks: Buffer[] = [];
    const fail = (message: string, cause?: unknown) => {
      socket.destroy();
      reject(
        new MailproofError("UNAVAILABLE", `spamd at ${address.host}:${address.port}: ${message}`, {
          cause,
        }),
      );
    };
    socket.setTimeout(timeoutMs, () => fail(`no answer within ${timeoutMs} ms`));
    socket.on("error", (err) => fail(err.message, err));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("end", () => {
      try {
        resolve(parseResponse(Buffer.concat(chunks).toString("utf8")));
      } catch (err) {
        // parseResponse throws MailproofErrors; anything else is wrapped, not rejected bare.
        reject(err instanceof Error ? err : new Error(String(err)));
      }
      socket.end();
    });
    socket.on("connect", () => {
      socket.write(`REPORT SPAMC/1.5\r\nContent-length: ${raw.length}\r\n\r\n`);
      socket.write(raw);
      // Half-close: spamd reads to Content-length, but some versions wait for EOF.
      socket.end();
    });
  });
}

export function parseResponse(text: string): SpamReport {
  const headerEnd = text.indexOf("\r\n\r\n");
  const head = headerEnd >= 0 ? text.slice(0, headerEnd) : text;
  const body = headerEnd >= 0 ? text.slice(headerEnd + 4) : "";
  const [status, ...headers] = head.split("\r\n");
  const statusMatch = /^SPAMD\/[\d.]+\s+(\d+)\s+(.*)$/.exec(status ?? "");
  if (!statusMatch)
    throw new MailproofError(
      "UNAVAILABLE",
      `spamd answered something that is not SPAMD: "${(status ?? "").slice(0, 80)}"`,
    );
  if (statusMatch[1] !== "0")
    throw new MailproofError("UNAVAILABLE", `spamd error ${statusMatch[1]} ${statusMatch[2]}`);
  const spam = headers
    .map((h) => /^Spam:\s*(\w+)\s*;\s*(-?[\d.]+)\s*\/\s*(-?[\d.]+)/i.exec(h))
    .find(Boolean);
  if (!spam) throw new MailproofError("UNAVAILABLE", "spamd answer has no Spam: header");
  return {
    isSpam: /^(true|yes)$/i.test(spam[1]),
    score: Number(spam[2]),
    threshold: Number(spam[3]),
    rules: parseRuleTable(body),
  };
}

/** The "pts rule name description" table of a REPORT; descriptions may wrap onto indented lines. */
function parseRuleTable(body: string): SpamRule[] {
  const rules: SpamRule[] = [];
  const start = body.search(/^-{4} -+/m);
  if (start < 0) return rules;
  for (const line of body.slice(start).split(/\r?\n/).slice(1)) {
    const row = /^\s*(-?\d+(?:\.\d+)?)\s+([A-Z0-9_]+)\s+(.*)$/.exec(line);
    if (row) rules.push({ score: Number(row[1]), name: row[2], description: row[3].trim() });
    else if (/^\s{5,}\S/.test(line) && rules.length)
      rules[rules.length - 1].description += ` ${line.trim()}`;
    else if (line.trim() === "") continue;
    else break;
  }
  return rules;
}
