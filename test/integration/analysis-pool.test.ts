import pino from "pino";
import { afterEach, describe, expect, test } from "vitest";
// Worker threads need the compiled worker entry, so this test drives the built pool (npm test builds first).
import { createAnalysisPool, type AnalysisPool } from "../../dist/analysis/workers/pool.js";
import { withDefaults } from "../../dist/config/options.js";
import { createDnsZone } from "../../dist/analysis/dns/zone.js";
import type { AnalysisInput } from "../../src/analysis/analyze.js";
import { inputFor } from "../unit/analysis/auth-fixture-message.js";

const pools: AnalysisPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});

const SENDER_IP = "192.0.2.77";
const spfZone = (ip: string) => ({ "pool.test": { TXT: [[`v=spf1 ip4:${ip} -all`]] } });

function openPool(idleExitMs: number, stuckAfterMs?: number) {
  const zone = createDnsZone(spfZone(SENDER_IP));
  const pool = createAnalysisPool(
    withDefaults({ spfIp: SENDER_IP }),
    zone,
    pino({ level: "silent" }),
    { size: 1, idleExitMs, stuckAfterMs },
  );
  pools.push(pool);
  return { pool, zone };
}

async function input(html?: string): Promise<AnalysisInput> {
  const body = html
    ? `Content-Type: text/html\r\n\r\n${html}`
    : "\r\nhttps://pool.test/reset?token=abc";
  const raw = Buffer.from(
    `From: app@pool.test\r\nTo: user@example.test\r\nSubject: reset\r\n${body}\r\n`,
  );
  return inputFor(raw, {
    mailFrom: "app@pool.test",
    rcptTo: ["user@example.test"],
    remoteAddress: null,
    helo: null,
  });
}

describe("analysis worker pool", () => {
  test("an idle worker ends, and the next message starts one that answers from the current zone", async () => {
    const { pool, zone } = openPool(300);
    expect(pool.running()).toBe(1);
    expect((await pool.analyze(await input())).auth?.spf?.result).toBe("pass");
    await expect.poll(() => pool.running(), { timeout: 5_000 }).toBe(0);
    // Replaced while no worker is alive: only a worker started from the zone as it is now sees it.
    pool.updateZone(zone.replace(spfZone("198.51.100.1")));
    expect((await pool.analyze(await input())).auth?.spf?.result).toBe("fail");
    expect(pool.running()).toBe(1);
  });

  test("a busy worker is not ended", async () => {
    const { pool } = openPool(50);
    const jobs = await Promise.all(
      Array.from({ length: 20 }, async () => (await pool.analyze(await input())).status),
    );
    expect(jobs.every((status) => status === "done")).toBe(true);
  });

  test("a worker that crashes leaves its messages a finding, and the next message gets a new worker", async () => {
    const { pool } = openPool(30_000);
    // No raw bytes: the worker throws outside any handler and exits.
    const broken = { ...(await input()), raw: null as unknown as Buffer };
    const crashed = await pool.analyze(broken);
    expect(crashed.status).toBe("done");
    expect(crashed.findings).toContainEqual(
      expect.objectContaining({
        rule: "analysis.failed",
        message: expect.stringMatching(/exited \(code 1\)/),
      }),
    );
    expect((await pool.analyze(await input())).auth?.spf?.result).toBe("pass");
  });

  test("a worker busy with one message past the deadline is restarted: that message says so, the one queued behind it is analysed", async () => {
    // The deadline counts the thread's CPU time: the check below takes ~600 ms of it, a small message a few ms.
    const { pool } = openPool(30_000, 250);
    // A warm worker: a cold one's first analysis can be slow on a loaded machine too.
    await pool.analyze(await input());
    // ~100 KB of styled elements: the HTML compatibility check alone is the slowest step by far.
    const heavy = await input('<p style="display:flex">line</p>\n'.repeat(3_000));
    const [stuck, next] = await Promise.all([pool.analyze(heavy), pool.analyze(await input())]);
    expect(stuck.findings).toContainEqual(
      expect.objectContaining({
        rule: "analysis.truncated",
        message: expect.stringMatching(
          /busy with this message's analysis \(compatibility or after it\) for \d+ ms and was restarted/,
        ),
      }),
    );
    // What the analysers before it had found is kept.
    expect(stuck.compatibility).toBeUndefined();
    expect(stuck.auth?.spf?.result).toBe("pass");
    expect(stuck.findings.map((f) => f.rule)).toContain("body.text-alternative-missing");
    expect(next.auth?.spf?.result).toBe("pass");
    expect(next.findings.map((f) => f.rule)).not.toContain("analysis.truncated");
  });
});
