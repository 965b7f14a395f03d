import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, expect, test } from "vitest";
import { CLI, startCli, type RunningCli } from "../helpers/cli.js";

const fixtures = join(import.meta.dirname, "../../fixtures");
const privateKey = readFileSync(join(fixtures, "keys/shop-s1.pem"), "utf8");
let cli: RunningCli;
let dir = "";

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mailproof-dns-cli-"));
  cli = await startCli([
    "--dns-zone",
    join(fixtures, "dns/example-zone.json"),
    "--spf-ip",
    "192.0.2.10",
  ]);
});
afterAll(async () => {
  await cli?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("--dns-zone and --spf-ip: a DKIM-signed message from the documented example passes everything", async () => {
  expect(Object.keys(await (await fetch(`${cli.url}/api/dns`)).json())).toContain(
    "s1._domainkey.shop.test",
  );
  const to = `cli-${Date.now()}@customer.test`;
  await nodemailer
    .createTransport({
      host: "127.0.0.1",
      port: cli.smtpPort,
      tls: { rejectUnauthorized: false },
      dkim: { domainName: "shop.test", keySelector: "s1", privateKey },
    })
    .sendMail({
      from: "orders@shop.test",
      to,
      subject: "Receipt",
      text: "Thanks!",
      envelope: { from: "bounce@shop.test", to },
    });
  const response = await fetch(
    `${cli.url}/api/wait?query=${encodeURIComponent(`to:${to} dmarc:pass`)}&after=${encodeURIComponent(new Date(Date.now() - 60_000).toISOString())}&timeout=15000`,
  );
  expect(response.status).toBe(200);
  const { auth } = (await response.json()).analysis;
  expect([auth.dkim[0].result, auth.spf.result, auth.spf.ip, auth.dmarc.result]).toEqual([
    "pass",
    "pass",
    "192.0.2.10",
    "pass",
  ]);
});

test("a malformed zone file stops mailproof at start with a message naming the problem", () => {
  const bad = join(dir, "zone.json");
  writeFileSync(bad, JSON.stringify({ "shop.test": { TXT: "v=spf1 -all" } }));
  const run = spawnSync(
    process.execPath,
    [CLI, "--dns-zone", bad, "--smtp-port", "0", "--http-port", "0"],
    { encoding: "utf8", timeout: 15_000 },
  );
  expect(run.status).not.toBe(0);
  expect(run.stderr).toMatch(/--dns-zone: invalid DNS zone: TXT of "shop.test" must be an array/);
});
