import type { Finding, Message } from "../../core/types.js";
import { FIELD_BREAK } from "../../core/headers.js";

export interface RuleInput {
  message: Message;
  raw: Buffer;
  /** The raw header section (up to the first empty line), read as latin1 so bytes stay bytes. */
  headerBlock: string;
}

/** One header/body check: returns the findings it triggers, each with a stable `rule` id. */
export type HeaderRule = (input: RuleInput) => Finding[];

export function finding(rule: string, severity: Finding["severity"], message: string): Finding {
  return { rule, severity, message };
}

/** Raw header lines with the given name, unfolded but not decoded. */
export function rawHeaders(headerBlock: string, name: string): string[] {
  const lower = name.toLowerCase();
  return headerBlock
    .split(FIELD_BREAK)
    .filter((line) => line.slice(0, line.indexOf(":")).trim().toLowerCase() === lower)
    .map((line) =>
      line
        .slice(line.indexOf(":") + 1)
        .replace(/\r?\n[ \t]+/g, " ")
        .trim(),
    );
}
