import { isObject } from "../../core/json.js";
import type { SgSendRequest } from "./request.js";
import type { Fail } from "./request-fields.js";
import { HELP } from "./responses.js";

/** SendGrid's limit per request (Mail Send reference, "categories"). */
const MAX_CATEGORIES = 10;

/** `categories`: at most 10 strings. */
export function parseCategories(value: unknown, fail: Fail): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((c) => typeof c === "string")) {
    fail("The categories parameter must be an array of strings.", "categories", HELP.categories);
    return [];
  }
  if (value.length > MAX_CATEGORIES) {
    fail(
      `You may not have more than ${MAX_CATEGORIES} categories per request.`,
      "categories",
      HELP.categories,
    );
    return [];
  }
  return [...value];
}

/** `mail_settings.sandbox_mode.enable`: validate only, deliver nothing. */
export function parseSandboxMode(mailSettings: unknown): boolean {
  return (
    isObject(mailSettings) &&
    isObject(mailSettings.sandbox_mode) &&
    mailSettings.sandbox_mode.enable === true
  );
}

/** `tracking_settings`: click tracking (text too with enable_text) and open tracking. */
export function parseTracking(trackingSettings: unknown): SgSendRequest["tracking"] {
  const settings = isObject(trackingSettings) ? trackingSettings : {};
  const enabled = (setting: unknown, key = "enable") => isObject(setting) && setting[key] === true;
  return {
    click: enabled(settings.click_tracking),
    clickText: enabled(settings.click_tracking) && enabled(settings.click_tracking, "enable_text"),
    open: enabled(settings.open_tracking),
  };
}

/** `asm.group_id`: the unsubscribe group, an integer. */
export function parseUnsubscribeGroup(asm: unknown, fail: Fail): number | null {
  if (asm === undefined || asm === null) return null;
  if (!isObject(asm) || !Number.isInteger(asm.group_id)) {
    fail("The asm group_id must be an integer.", "asm.group_id", HELP.asm);
    return null;
  }
  return asm.group_id as number;
}
