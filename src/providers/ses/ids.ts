import { randomUUID } from "node:crypto";

/**
 * SES message ids: 16 hex digits of the send time in milliseconds, a UUID and a `-000000`
 * suffix, e.g. `0100018c3f0f0e3d-5a9b5c1e-7f28-4a8d-9d7f-0e9f3c9f2d11-000000`. The delivered
 * message carries `Message-ID: <that@email.amazonses.com>`.
 */
export function sesMessageId(now = Date.now()): string {
  return `${now.toString(16).padStart(16, "0")}-${randomUUID()}-000000`;
}

export function sesMessageIdHeader(id: string, region: string): string {
  return region === "us-east-1" ? `<${id}@email.amazonses.com>` : `<${id}@${region}.amazonses.com>`;
}
