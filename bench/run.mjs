// `npm run bench`: server CPU per message until analysed (the quantity that sets the rate on any
// machine) with capture throughput beside it, nodemailer send and send→visible latency, list and
// search times at 10k and 100k stored messages, and RSS at rest and at peak, for the real server
// (the built CLI with a durable --db), compared with Postfix's smtp-sink when it is installed and
// with smtp-server alone (the SMTP library keeping nothing).
//
// Environment: BENCH_SECONDS (per throughput run, default 5), BENCH_WARMUP (untimed load before
// each throughput run, default 1 s), BENCH_FILL (largest store size, default 100000; a smaller
// value makes a quick run).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import nodemailer from "nodemailer";
import { runLoad } from "./smtp-load.mjs";
import { fillTo, percentile, queryLines, queryTimes } from "./queries.mjs";
import { CLI, cliArgs } from "./cli.mjs";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
// A server runs for hours; its first second goes to V8 compiling the hot paths. Both servers
// (and the load generator) get the same warm-up, so the figures compare steady states.
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1);
const FILL = Number(process.env.BENCH_FILL ?? 100_000);
const SMTP_SINK = "/usr/sbin/smtp-sink";
const LATENCY_SAMPLES = 300;

// CPU targets per message, all threads, until analysed: as set in microseconds on the machine of
// 2026-11-28, and as multiples of smtp-server alone's CPU on that machine (156–171, 46–48 and
// 150–179 µs), which hold on a faster or slower machine (docs/performance.md).
const SCENARIOS = [
  {
    name: "2 KB, one message per connection",
    cpuTargetUs: 800,
    aloneRatioTarget: 4.9,
    size: 2048,
    persistent: false,
    concurrency: 16,
  },
  {
    name: "2 KB, persistent connections",
    cpuTargetUs: 450,
    aloneRatioTarget: 9.6,
    size: 2048,
    persistent: true,
    concurrency: 8,
  },
  {
    name: "100 KB, persistent connections",
    cpuTargetUs: 3000,
    aloneRatioTarget: 18.2,
    size: 100 * 1024,
    persistent: true,
    concurrency: 8,
  },
];

const ms = (v) => `${v.toFixed(2)} ms`;

/** The benchmark's sender domain, answered from a zone so analysis never waits on real DNS. */
const ZONE = {
  "bench.local": {
    TXT: [["v=spf1 ip4:127.0.0.1 -all"]],
    MX: [{ exchange: "mx.bench.local", priority: 10 }],
  },
  "_dmarc.bench.local": { TXT: [["v=DMARC1; p=none"]] },
};

function startMailproof(dir) {
  const zone = join(dir, "zone.json");
  writeFileSync(zone, JSON.stringify(ZONE));
  return new Promise((resolve, reject) => {
    const args = [
      "--smtp-port",
      "0",
      "--http-port",
      "0",
      "--db",
      join(dir, "bench.db"),
      "--dns-zone",
      zone,
      "--dns",
      "zone",
      "--log-level",
      "warn",
    ];
    const child = spawn(process.execPath, [...cliArgs(), ...args], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.once("exit", (code) => reject(new Error(`mailproof exited with ${code}`)));
    child.stdout.on("data", (d) => {
      out += d;
      const http = /http listening on http:\/\/[^:]+:(\d+)/.exec(out);
      const smtp = /smtp listening on [^\n]*:(\d+)\n/.exec(out);
      if (http && smtp)
        resolve({ child, smtpPort: Number(smtp[1]), url: `http://127.0.0.1:${http[1]}` });
    });
  });
}

function startSmtpServerAlone() {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [fileURLToPath(new URL("./smtp-server-alone.mjs", import.meta.url))],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    child.once("exit", (code) => reject(new Error(`smtp-server-alone exited with ${code}`)));
    child.stdout.once("data", (d) => resolve({ child, port: Number(/:(\d+)/.exec(String(d))[1]) }));
  });
}

function startSmtpSink(port) {
  const child = spawn(SMTP_SINK, ["-u", "nobody", "-m", "1000", `127.0.0.1:${port}`, "1024"], {
    stdio: "ignore",
  });
  return new Promise((resolve) => setTimeout(() => resolve(child), 300));
}

/** The server's resident set now (VmRSS) and its high-water mark over the run (VmHWM), in MiB. */
function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const read = (field) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)[1]) / 1024;
  return { now: read("VmRSS"), peak: read("VmHWM") };
}

/**
 * CPU seconds the server has used so far (user + system), from /proc/<pid>/stat: all threads,
 * and its main thread alone (/proc/<pid>/task/<pid>/stat); the clock ticks are USER_HZ, 100 a
 * second on Linux.
 */
function cpuSeconds(pid) {
  const read = (path) => {
    const fields = readFileSync(path, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  };
  return { all: read(`/proc/${pid}/stat`), main: read(`/proc/${pid}/task/${pid}/stat`) };
}

/** Waits until every stored message has been analysed (`analysisBacklog` of /api/health). */
async function analysisDrained(server) {
  for (;;) {
    const health = await (await fetch(`${server.url}/api/health`)).json();
    if (health.analysisBacklog === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The resident set once the server has been idle a while: V8 gives back the heap a burst grew
 * only when its memory reducer runs, in steps some seconds apart, after the server goes quiet.
 * Samples once a second until the lowest has held for 30 s (at most 120 s); returns the lowest
 * and when it was reached.
 */
async function settledRss(pid) {
  let lowest = Infinity;
  let reachedAt = 0;
  for (let second = 1; second <= 120 && second - reachedAt <= 30; second++) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = rssMiB(pid).now;
    if (now < lowest) [lowest, reachedAt] = [now, second];
  }
  return { lowest, reachedAt };
}

/**
 * What a test feels: nodemailer sends 2 KB messages one after another, each on a new
 * connection, and times each to its 250; with an HTTP URL, a /api/wait for the recipient is
 * registered first and also timed from the send to its answer (the message stored and analysed).
 */
async function sendLatency(smtpPort, samples, url = null) {
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port: smtpPort,
    secure: false,
    ignoreTLS: true,
  });
  const send = [];
  const visible = [];
  const text = "The quick brown fox jumps over the lazy dog, 0123456789 times.\n".repeat(30);
  for (let i = 0; i < samples; i++) {
    const to = `latency${i}-${Date.now()}@bench.local`;
    const wait =
      url &&
      fetch(`${url}/api/wait?query=${encodeURIComponent(`to:${to}`)}&timeout=10000`).then(
        async (response) => {
          if (response.status !== 200) throw new Error(`wait answered ${response.status}`);
          await response.json();
          return performance.now();
        },
      );
    if (wait) await new Promise((r) => setTimeout(r, 2)); // let the long-poll register first
    const started = performance.now();
    await transport.sendMail({ from: "bench@bench.local", to, subject: "latency", text });
    send.push(performance.now() - started);
    if (wait) visible.push((await wait) - started);
  }
  transport.close();
  return {
    send: percentile(send, 50),
    visible: visible.length > 0 ? percentile(visible, 50) : null,
    visibleP99: visible.length > 0 ? percentile(visible, 99) : null,
  };
}

async function main() {
  if (!existsSync(CLI)) throw new Error("dist/ is missing: run npm run build");
  const cores = (await import("node:os")).cpus().length;
  console.log(
    `mailproof benchmark — node ${process.version}, ${cores} cores, ${SECONDS} s per throughput run after ${WARMUP} s of warm-up`,
  );

  const sinkAvailable = existsSync(SMTP_SINK);
  const sink = {};
  if (sinkAvailable) {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const child = await startSmtpSink(port);
    for (const s of SCENARIOS) {
      await runLoad({ port, ...s, seconds: WARMUP });
      sink[s.name] = await runLoad({ port, seconds: SECONDS, ...s });
    }
    await sendLatency(port, 20);
    sink.latency = await sendLatency(port, LATENCY_SAMPLES);
    child.kill("SIGTERM");
  } else {
    console.log("(smtp-sink not installed: apt-get install postfix for the reference figures)");
  }

  // What smtp-server costs before mailproof does any work: the ceiling of this design.
  console.log("\nsmtp-server alone (answers 250, keeps nothing)");
  const alone = await startSmtpServerAlone();
  /** smtp-server's own CPU per message in this run: what the same work costs on this machine today. */
  const aloneCpuUs = {};
  for (const s of SCENARIOS) {
    await runLoad({ port: alone.port, ...s, seconds: WARMUP });
    const cpuBefore = cpuSeconds(alone.child.pid);
    const rate = await runLoad({ port: alone.port, seconds: SECONDS, ...s });
    const cpuPerMessage = (cpuSeconds(alone.child.pid).all - cpuBefore.all) / (rate * SECONDS);
    aloneCpuUs[s.name] = cpuPerMessage * 1e6;
    const ref = sink[s.name];
    const ratio = ref ? ` | ratio ${(rate / ref).toFixed(2)}×` : "";
    console.log(
      `  ${s.name.padEnd(36)} ${rate.toFixed(0).padStart(6)} msg/s${ratio} | server CPU ${(cpuPerMessage * 1e6).toFixed(0)} µs/msg`,
    );
  }
  alone.child.removeAllListeners("exit");
  alone.child.kill("SIGTERM");

  const dir = mkdtempSync(join(tmpdir(), "mailproof-bench-"));
  const server = await startMailproof(dir);
  try {
    console.log(
      "\nserver CPU per message until analysed, and throughput (full pipeline: parse, durable SQLite commit, analysis)",
    );
    for (const s of SCENARIOS) {
      await runLoad({ port: server.smtpPort, ...s, seconds: WARMUP });
      await analysisDrained(server);
      const started = performance.now();
      const cpuBefore = cpuSeconds(server.child.pid);
      const rate = await runLoad({ port: server.smtpPort, seconds: SECONDS, ...s });
      const accepted = (rate * (performance.now() - started)) / 1000;
      // Analysis yields to capture (lowest thread priority) and catches up afterwards.
      await analysisDrained(server);
      const analysed = accepted / ((performance.now() - started) / 1000);
      // What a message costs in all (capture, store, analysis): two cores sustain at most 2 s / that.
      const cpuAfter = cpuSeconds(server.child.pid);
      const cpuUs = ((cpuAfter.all - cpuBefore.all) / accepted) * 1e6;
      const mainUs = ((cpuAfter.main - cpuBefore.main) / accepted) * 1e6;
      const verdict = cpuUs <= s.cpuTargetUs ? "met" : "MISSED";
      const perAlone = cpuUs / aloneCpuUs[s.name];
      const ref = sink[s.name];
      const ratio = ref ? ` | smtp-sink ${ref.toFixed(0)} msg/s, ${(rate / ref).toFixed(2)}×` : "";
      console.log(
        `  ${s.name.padEnd(36)} CPU ${cpuUs.toFixed(0).padStart(5)} µs/msg (main thread ${mainUs.toFixed(0)}; target ≤ ${s.cpuTargetUs}: ${verdict}) = ${perAlone.toFixed(1)}× smtp-server alone (target ≤ ${s.aloneRatioTarget}×: ${perAlone <= s.aloneRatioTarget ? "met" : "MISSED"}) | ${rate.toFixed(0)} msg/s${ratio} | analysed ${analysed.toFixed(0)} msg/s`,
      );
    }

    await sendLatency(server.smtpPort, 20, server.url);
    const lat = await sendLatency(server.smtpPort, LATENCY_SAMPLES, server.url);
    const versus = (value, limit) => {
      if (!sink.latency) return "";
      const ratio = value / sink.latency.send;
      return ` = ${ratio.toFixed(2)}× smtp-sink's send p50 (target ≤ ${limit}×: ${ratio <= limit ? "met" : "MISSED"})`;
    };
    console.log(
      `\nnodemailer, 2 KB, a new connection per message (${LATENCY_SAMPLES} in a row)${sink.latency ? `; smtp-sink send p50 ${ms(sink.latency.send)}` : ""}`,
    );
    console.log(`  send → 250            p50 ${ms(lat.send)}${versus(lat.send, 1.5)}`);
    console.log(
      `  send → /api/wait      p50 ${ms(lat.visible)}, p99 ${ms(lat.visibleP99)}${versus(lat.visible, 2)}`,
    );

    for (const size of [10_000, FILL].filter((n, i, all) => all.indexOf(n) === i && n > 0)) {
      const fillRate = await fillTo(server, size);
      const stored = (await (await fetch(`${server.url}/api/health`)).json()).messages;
      const q = await queryTimes(server);
      console.log(
        `\nat ${stored} stored messages${fillRate ? ` (filled at ${fillRate.toFixed(0)} msg/s)` : ""}:`,
      );
      for (const line of queryLines(q)) console.log(`  ${line}`);
    }
    await analysisDrained(server);
    const settled = await settledRss(server.child.pid);
    const rss = rssMiB(server.child.pid);
    console.log(
      `\nserver RSS at rest with ${FILL} stored: ${settled.lowest.toFixed(0)} MiB after ${settled.reachedAt} s idle (target ≤ 200 MiB at 100k); peak over the run ${rss.peak.toFixed(0)} MiB`,
    );
  } finally {
    server.child.removeAllListeners("exit");
    server.child.kill("SIGTERM");
    await new Promise((r) => server.child.once("exit", r));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
