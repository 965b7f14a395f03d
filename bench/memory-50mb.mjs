#!/usr/bin/env node
/**
 * Peak RSS of the mailproof server while one 50 MB message streams in over SMTP.
 *
 * Starts the built CLI (`npm run build` first) with --max-size 60MiB, samples its resident set
 * from /proc (VmRSS, and the kernel's high-water mark VmHWM), streams a 50 MB message (a base64
 * attachment, as apps send files) over a raw SMTP socket in 64 KB writes, waits for the 250 and
 * for the analysis to finish, and prints baseline, peak and the peak's growth as a multiple of
 * the message size. Linux only (reads /proc).
 *
 *   node bench/memory-50mb.mjs [--size-mb 50] [--json]
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import net from "node:net";
import { cliArgs } from "./cli.mjs";

const args = process.argv.slice(2);
const sizeMb = Number(args[args.indexOf("--size-mb") + 1] || 50) || 50;
const asJson = args.includes("--json");
/** Anything after "--" goes to mailproof, e.g. -- --analysis-workers 0 */
const extra = args.includes("--") ? args.slice(args.indexOf("--") + 1) : [];
const MiB = 1024 * 1024;

const child = spawn(
  process.execPath,
  [
    ...cliArgs(),
    "--smtp-port",
    "0",
    "--http-port",
    "0",
    "--max-size",
    "60MiB",
    "--log-level",
    "warn",
    ...extra,
  ],
  { stdio: ["ignore", "pipe", "inherit"] },
);
const ports = await new Promise((resolve, reject) => {
  let out = "";
  child.once("exit", (code) => reject(new Error(`mailproof exited with ${code}`)));
  child.stdout.on("data", (d) => {
    out += d;
    const http = /http listening on (\S+)/.exec(out);
    const smtp = /smtp listening on [^\n]*:(\d+)\n/.exec(out);
    if (http && smtp) resolve({ url: http[1], smtp: Number(smtp[1]) });
  });
});

const status = () => readFileSync(`/proc/${child.pid}/status`, "utf8");
const kb = (field) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status())[1]) * 1024;
let sampledPeak = 0;
const sampler = setInterval(() => (sampledPeak = Math.max(sampledPeak, kb("VmRSS"))), 5);

// Let the server settle (UI assets, analysis workers) before the baseline.
await new Promise((r) => setTimeout(r, 1500));
const baseline = kb("VmRSS");
const hwmBefore = kb("VmHWM");

/** The message: headers, a short text part, then base64 lines up to the size. */
function* messageChunks(size) {
  const head = `From: bench@memory.test\r\nTo: rcpt@memory.test\r\nSubject: ${sizeMb} MB\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attachment\r\n--b\r\nContent-Type: application/octet-stream; name="big.bin"\r\nContent-Disposition: attachment; filename="big.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n`;
  yield Buffer.from(head);
  const line = `${"QUJDRA".repeat(12)}QUJD\r\n`; // 76 base64 characters + CRLF
  const block = Buffer.from(line.repeat(Math.floor((64 * 1024) / line.length)));
  let sent = head.length;
  while (sent + block.length < size - 16) {
    yield block;
    sent += block.length;
  }
  yield Buffer.from("\r\n--b--\r\n");
}

const reply = (socket) =>
  new Promise((resolve, reject) => {
    let buffer = "";
    const onData = (d) => {
      buffer += d;
      if (/^\d{3} [^\n]*\n/m.test(buffer)) {
        socket.off("data", onData);
        resolve(buffer.trim());
      }
    };
    socket.on("data", onData);
    socket.once("error", reject);
  });

const socket = net.connect(ports.smtp, "127.0.0.1");
await reply(socket);
const command = async (line) => {
  const answer = reply(socket);
  socket.write(`${line}\r\n`);
  return answer;
};
await command("EHLO memory.test");
await command("MAIL FROM:<bench@memory.test>");
await command("RCPT TO:<rcpt@memory.test>");
await command("DATA");
const started = performance.now();
let bytes = 0;
for (const chunk of messageChunks(sizeMb * MiB)) {
  bytes += chunk.length;
  if (!socket.write(chunk)) await new Promise((r) => socket.once("drain", r));
}
const final = reply(socket);
socket.write(".\r\n");
const answer = await final;
const acceptedMs = performance.now() - started;
const peakAtAccept = Math.max(kb("VmHWM"), sampledPeak);
const id = /queued as (\S+)/.exec(answer)?.[1];
if (!id) throw new Error(`message refused: ${answer}`);
socket.end("QUIT\r\n");

// Analysis runs after the 250; the peak may come then.
for (;;) {
  const message = await (await fetch(`${ports.url}/api/messages/${id}`)).json();
  if (message.analysis.status === "done") break;
  await new Promise((r) => setTimeout(r, 50));
}
const analysedMs = performance.now() - started;
clearInterval(sampler);
const peak = Math.max(kb("VmHWM"), sampledPeak);
child.kill("SIGTERM");

const result = {
  messageBytes: bytes,
  baselineRssMiB: +(baseline / MiB).toFixed(1),
  peakRssMiB: +(peak / MiB).toFixed(1),
  growthMiB: +((peak - Math.max(baseline, hwmBefore)) / MiB).toFixed(1),
  growthPerMessageSize: +((peak - Math.max(baseline, hwmBefore)) / bytes).toFixed(2),
  peakUntilAcceptedMiB: +(peakAtAccept / MiB).toFixed(1),
  acceptedMs: Math.round(acceptedMs),
  analysedMs: Math.round(analysedMs),
};
if (asJson) console.log(JSON.stringify(result));
else {
  console.log(
    `message            ${(bytes / MiB).toFixed(1)} MiB over SMTP (250 after ${result.acceptedMs} ms, analysed after ${result.analysedMs} ms)`,
  );
  console.log(`baseline RSS       ${result.baselineRssMiB} MiB`);
  console.log(
    `peak RSS           ${result.peakRssMiB} MiB (${result.peakUntilAcceptedMiB} MiB until the 250)`,
  );
  console.log(
    `growth             ${result.growthMiB} MiB = ${result.growthPerMessageSize} x the message size`,
  );
}
