import { expect } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";

/** How long a message may take from upload to finished analysis before it counts as a hang. */
export const ANALYSIS_BOUND_MS = 20_000;

/**
 * Uploads raw bytes through the native API and checks what every input must get, however broken:
 * a 201, a finished analysis within the bound, the exact bytes back from /raw, and a healthy
 * sandbox afterwards. Resolves with the message JSON.
 */
export async function captureIntact(
  sandbox: Sandbox,
  raw: Buffer,
  options: { to: string; label?: string },
): Promise<any> {
  const label = options.label ?? options.to;
  // A request that fails outright (no HTTP answer) names the input too.
  const request = (path: string, init?: RequestInit) =>
    fetch(`${sandbox.url}${path}`, init).catch((err: unknown) => {
      throw new Error(`${label}: ${init?.method ?? "GET"} ${path} failed`, { cause: err });
    });
  const upload = await request(`/api/messages?to=${encodeURIComponent(options.to)}`, {
    method: "POST",
    body: new Uint8Array(raw),
    headers: { "content-type": "message/rfc822" },
  });
  expect(upload.status, `${label}: upload answered ${await upload.clone().text()}`).toBe(201);
  const { id } = (await upload.json()) as { id: string };

  const deadline = Date.now() + ANALYSIS_BOUND_MS;
  let message: any;
  for (;;) {
    const response = await request(`/api/messages/${id}`);
    expect(response.status, `${label}: GET message`).toBe(200);
    message = await response.json();
    if (message.analysis.status === "done") break;
    if (Date.now() > deadline)
      throw new Error(`${label}: analysis still pending after ${ANALYSIS_BOUND_MS} ms (a hang)`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }

  const stored = await request(`/api/messages/${id}/raw`);
  expect(stored.status, `${label}: GET raw`).toBe(200);
  expect(Buffer.from(await stored.arrayBuffer()).equals(raw), `${label}: raw bytes`).toBe(true);
  const health = await request("/api/health");
  expect(health.status, `${label}: health`).toBe(200);
  return message;
}
