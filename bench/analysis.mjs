// `node bench/analysis.mjs` (after `npm run build`): CPU time of analysing one 2 KB
// DKIM-signed message with the zone resolver — the whole pipeline (every registered analyser:
// mime, auth, headers, links, codes, HTML compatibility) and each analyser alone; the
// compatibility check twice, for a template seen before and a new one. Target: pipeline p50 < 5 ms.
//
// Environment: BENCH_RUNS (measured runs, default 500).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import pino from "pino";
import { dkimSign } from "mailauth";
import { createAnalysisPipeline } from "../dist/analysis/index.js";
import { createAuthAnalyzer } from "../dist/analysis/auth/index.js";
import { createCompatibilityAnalyzer } from "../dist/analysis/compatibility/index.js";
import { createDnsZone, createResolver } from "../dist/analysis/dns/index.js";
import { createHeadersAnalyzer } from "../dist/analysis/headers/index.js";
import { createLinksAnalyzer } from "../dist/analysis/links/index.js";
import { createCodesAnalyzer } from "../dist/analysis/codes/index.js";
import { createMimeAnalyzer } from "../dist/analysis/mime/index.js";
import { analysisSettings, withDefaults } from "../dist/config/options.js";
import { emptyAnalysis } from "../dist/core/types.js";
import { parseMessage } from "../dist/ingest/parse.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 500);
const WARMUP = 50;
const fixture = (path) =>
  readFileSync(fileURLToPath(new URL(`../fixtures/${path}`, import.meta.url)), "utf8");
const zone = JSON.parse(fixture("dns/example-zone.json"));

/** A 2 KB multipart receipt, signed as shop.test/s1 like a provider would. */
async function signedMessage() {
  const text =
    "Hello Alice,\r\n\r\nthanks for your order 1042. Items:\r\n" +
    "  1 x Blue mug .................... 12.00 EUR\r\n".repeat(12) +
    "\r\nThe Shop team\r\n";
  const html = `<html><body><h1>Thanks for your order</h1><table>${"<tr><td>Blue mug</td><td>12.00 EUR</td></tr>\r\n".repeat(8)}</table><p><a href="https://shop.test/orders/1042">View your order</a></p></body></html>`;
  const raw =
    "From: Shop <orders@shop.test>\r\nTo: alice@customer.test\r\nSubject: Your receipt for order 1042\r\n" +
    `Date: ${new Date().toUTCString().replace("GMT", "+0000")}\r\nMessage-ID: <1042.bench@shop.test>\r\nMIME-Version: 1.0\r\n` +
    'Content-Type: multipart/alternative; boundary="b"\r\n\r\n' +
    `--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text}\r\n--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}\r\n--b--\r\n`;
  const { signatures } = await dkimSign(raw, {
    signatureData: [
      { signingDomain: "shop.test", selector: "s1", privateKey: fixture("keys/shop-s1.pem") },
    ],
  });
  return Buffer.from(signatures + raw);
}

async function measure(run) {
  for (let i = 0; i < WARMUP; i++) await run();
  const cpu = [];
  const wall = [];
  for (let i = 0; i < RUNS; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await run();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { cpu, wall };
}

const percentile = (values, p) =>
  [...values].sort((a, b) => a - b)[
    Math.min(values.length - 1, Math.floor((p / 100) * values.length))
  ];
const row = (name, { cpu, wall }) =>
  console.log(
    `${name.padEnd(26)} cpu p50 ${percentile(cpu, 50).toFixed(2).padStart(6)} ms  p99 ${percentile(cpu, 99).toFixed(2).padStart(6)} ms   wall p50 ${percentile(wall, 50).toFixed(2).padStart(6)} ms`,
  );

const raw = await signedMessage();
const envelope = {
  mailFrom: "bounce@shop.test",
  rcptTo: ["alice@customer.test"],
  remoteAddress: "127.0.0.1",
  helo: "mail.shop.test",
  secure: true,
  authUser: null,
};
const { attachmentContents, ...fields } = await parseMessage(raw, envelope);
void attachmentContents;
const message = {
  id: "01BENCH0000000000000000000",
  receivedAt: new Date().toISOString(),
  source: { kind: "smtp", providerMessageId: null },
  envelope,
  ...fields,
  size: raw.length,
  tags: [],
  read: false,
  analysis: emptyAnalysis(),
};
const input = { message, raw };
const logger = pino({ level: "silent" });
const options = withDefaults({ dnsZone: zone, spfIp: "192.0.2.10" });
const analyze = createAnalysisPipeline(
  analysisSettings(options),
  logger,
  createDnsZone(options.dnsZone),
);

const check = await analyze(input);
if (check.auth.dkim[0]?.result !== "pass" || check.auth.dmarc?.result !== "pass")
  throw new Error(`bench message does not verify: ${JSON.stringify(check.auth)}`);

console.log(
  `analysis of a ${raw.length}-byte signed message, zone resolver, ${RUNS} runs after ${WARMUP} warm-up`,
);
const pipeline = await measure(() => analyze(input));
row("pipeline (all analysers)", pipeline);
const context = {
  resolver: createResolver(createDnsZone(zone), { modes: ["zone"] }),
  logger,
  appUrl: null,
  spfIp: "192.0.2.10",
  allowedLinkHosts: [],
};
for (const analyzer of [
  createMimeAnalyzer(),
  createAuthAnalyzer(),
  createHeadersAnalyzer(),
  createLinksAnalyzer(),
  createCodesAnalyzer(),
  createCompatibilityAnalyzer(),
]) {
  row(`  ${analyzer.name}`, await measure(() => analyzer.run(input, context)));
}
// The row above is a template seen before (its verdict is kept); this one is a new template.
row(
  "  compatibility, new shape",
  await measure(() => createCompatibilityAnalyzer().run(input, context)),
);
const p50 = percentile(pipeline.cpu, 50);
console.log(`target pipeline cpu p50 < 5 ms: ${p50 < 5 ? "met" : "MISSED"} (${p50.toFixed(2)} ms)`);
