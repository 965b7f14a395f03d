import { isObject } from "../../core/json.js";
import type { SgPersonalization } from "./request.js";
import { jsonType, type Fail, type FieldReaders } from "./request-fields.js";
import { HELP } from "./responses.js";

/** SendGrid's limit per request (Mail Send reference, "personalizations"). */
const MAX_PERSONALIZATIONS = 1000;

/** `personalizations`: 1 to 1000, each with its own recipients, subject, headers and data. */
export function parsePersonalizations(
  value: unknown,
  read: FieldReaders,
  fail: Fail,
): SgPersonalization[] {
  if (!Array.isArray(value) || value.length === 0) {
    fail(
      "The personalizations field is required and must have at least 1 personalization.",
      "personalizations",
      HELP.personalizations,
    );
    return [];
  }
  if (value.length > MAX_PERSONALIZATIONS) {
    fail(
      `The personalization block is limited to ${MAX_PERSONALIZATIONS} personalizations per API request. You have provided ${value.length} personalizations. Please consider splitting this into multiple requests and resending your request.`,
      "personalizations",
      HELP.personalizations,
    );
    return [];
  }
  const personalizations: SgPersonalization[] = [];
  value.forEach((raw: unknown, i: number) => {
    const p = parsePersonalization(raw, `personalizations.${i}`, read, fail);
    if (p) personalizations.push(p);
  });
  return personalizations;
}

function parsePersonalization(
  raw: unknown,
  field: string,
  read: FieldReaders,
  fail: Fail,
): SgPersonalization | null {
  if (!isObject(raw)) {
    fail(`Invalid type. Expected: object, given: ${jsonType(raw)}.`, field);
    return null;
  }
  if (!Array.isArray(raw.to) || raw.to.length === 0) {
    fail(
      "The to array is required for all personalization objects, and must have at least one email object with a valid email address.",
      `${field}.to`,
      HELP.to,
    );
  }
  const p: SgPersonalization = {
    to: read.addressList(raw.to, `${field}.to`),
    cc: read.addressList(raw.cc, `${field}.cc`),
    bcc: read.addressList(raw.bcc, `${field}.bcc`),
    from: read.address(raw.from, `${field}.from`, false),
    subject: read.optionalString(raw.subject, `${field}.subject`),
    headers: read.stringMap(raw.headers, `${field}.headers`),
    substitutions: read.stringMap(raw.substitutions, `${field}.substitutions`),
    customArgs: read.stringMap(raw.custom_args, `${field}.custom_args`),
    dynamicTemplateData: isObject(raw.dynamic_template_data) ? raw.dynamic_template_data : {},
  };
  checkUniqueRecipients(p, field, fail);
  return p;
}

/** An address may appear once across to, cc and bcc, compared case-insensitively. */
function checkUniqueRecipients(p: SgPersonalization, field: string, fail: Fail): void {
  const seen = new Set<string>();
  for (const kind of ["to", "cc", "bcc"] as const) {
    for (const a of p[kind]) {
      const key = a.email.toLowerCase();
      if (seen.has(key)) {
        fail(
          `Each email address in the personalization block should be unique between to, cc, and bcc. We found the first duplicate instance of [${a.email}] in the ${field}.${kind} field.`,
          field,
          HELP.duplicates,
        );
      }
      seen.add(key);
    }
  }
}
