// The PostgreSQL mode of `npm run bench`: capture throughput of the built CLI (dist/) on a
// PostgreSQL store, one instance against two instances sharing the database, with the same
// total SMTP concurrency; send→wait latency within one instance and across two (the
// LISTEN/NOTIFY path); and listing and search times with BENCH_FILL messages stored.
//
//   node bench/postgres.mjs             after `npm run build`; or import { benchPostgres }
//
// Environment: BENCH_SECONDS (per throughput run, default 5); BENCH_FILL (messages stored for
// the search figures, default 100000); BENCH_PG_URL (an empty database to use; default: a
// throwaway server from the postgresql package's binaries, fsync on, so commits cost what they
// cost in production).
import { spawn } from "node:child_process";
import { cpus } from "node:os";
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { startPostgresServer, withClient } from "../test/helpers/postgres-server.mjs";
import { makeMessage, openSession, runLoad } from "./smtp-load.mjs";
import { fillTo, percentile, queryLines, queryTimes } from "./queries.mjs";
import { CLI, cliArgs } from "./cli.mjs";

const WORKLOADS = [
  { name: "2 KB, persistent connections", size: 2048, persistent: true, concurrency: 8 },
  { name: "2 KB, one message per connection", size: 2048, persistent: false, concurrency: 8 },
  { name: "100 KB, persistent connections", size: 100 * 1024, persistent: true, concurrency: 8 },
];
const LATENCY_SAMPLES = 100;
const FILL = Number(process.env.BENCH_FILL ?? 100_000);

function startInstance(db) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...cliArgs(), "--smtp-port", "0", "--http-port", "0", "--db", db, "--log-level", "warn"],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    const onExit = (code) => reject(new Error(`mailproof exited with ${code} before listening`));
    child.once("exit", onExit);
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const smtp = /^smtp listening on .*:(\d+)$/m.exec(out);
      const http = /^http listening on (http:\/\/\S+)$/m.exec(out);
      if (smtp && http) {
        child.off("exit", onExit);
        resolve({ child, smtpPort: Number(smtp[1]), url: http[1] });
      }
    });
  });
}

function stopInstance(instance) {
  return new Promise((resolve) => {
    instance.child.once("exit", () => resolve());
    instance.child.kill("SIGTERM");
  });
}

/** Same total concurrency split over the instances; messages/s summed. */
async function throughput(instances, workload, seconds) {
  const share = Math.max(1, Math.round(workload.concurrency / instances.length));
  const rates = await Promise.all(
    instances.map((instance, n) =>
      runLoad({
        port: instance.smtpPort,
        seconds,
        ...workload,
        concurrency: share,
        recipient: (i) => `i${n}-${i}@bench.local`,
      }),
    ),
  );
  return rates.reduce((a, b) => a + b, 0);
}

/** Sends on `sender`, long-polls on `waiter`: the time until the waiter has the analysed message. */
async function latency(sender, waiter) {
  const session = await openSession(sender.smtpPort);
  const times = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const to = `latency${i}-${Date.now()}@bench.local`;
    const after = new Date(Date.now() - 1).toISOString();
    const started = performance.now();
    const wait = fetch(
      `${waiter.url}/api/wait?query=${encodeURIComponent(`to:${to}`)}&after=${encodeURIComponent(after)}&timeout=10000`,
    );
    await session.send("bench@bench.local", to, makeMessage(2048, to));
    const response = await wait;
    if (response.status !== 200) throw new Error(`wait answered ${response.status}`);
    await response.json();
    times.push(performance.now() - started);
  }
  await session.quit();
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

// The schema exists once an instance has started; between runs every run starts from empty.
const clear = (url) =>
  withClient(url, async (client) => {
    await client.query("TRUNCATE messages, sessions CASCADE");
    await client.query("VACUUM ANALYZE");
  });

const vacuumAnalyze = (url) => withClient(url, (client) => client.query("VACUUM ANALYZE"));

/** Runs the PostgreSQL benchmark; returns the figures and prints them through `log`. */
export async function benchPostgres({
  seconds = Number(process.env.BENCH_SECONDS ?? 5),
  log = console.log,
} = {}) {
  if (!existsSync(CLI)) throw new Error("dist/ is missing: run npm run build");
  const server = process.env.BENCH_PG_URL ? null : await startPostgresServer({ durable: true });
  const url = process.env.BENCH_PG_URL ?? (await server.createDatabase("bench"));
  const results = { workloads: [], latency: null, queries: null };
  try {
    const version = await withClient(
      url,
      async (client) => (await client.query("SHOW server_version")).rows[0].server_version,
    );
    log(
      `mailproof on PostgreSQL ${version} — node ${process.version}, ${cpus().length} cores, ${seconds} s per run, same total concurrency`,
    );

    const rows = [];
    for (const instanceCount of [1, 2]) {
      const instances = [];
      // Started one after the other: the first one creates the schema.
      for (let i = 0; i < instanceCount; i++) instances.push(await startInstance(url));
      try {
        for (const workload of WORKLOADS) {
          await clear(url);
          const rate = await throughput(instances, workload, seconds);
          let row = rows.find((r) => r.name === workload.name);
          if (!row) rows.push((row = { name: workload.name }));
          row[instanceCount] = rate;
        }
        if (instanceCount === 2) {
          await clear(url);
          results.latency = {
            sameInstance: await latency(instances[0], instances[0]),
            acrossInstances: await latency(instances[0], instances[1]),
          };
        }
      } finally {
        await Promise.all(instances.map(stopInstance));
      }
    }
    results.workloads = rows.map((r) => ({ name: r.name, oneInstance: r[1], twoInstances: r[2] }));

    // Listing and search on a full store, once PostgreSQL has statistics for it (autovacuum
    // gathers them within a minute or so of a bulk load).
    await clear(url);
    const instance = await startInstance(url);
    try {
      const fillRate = await fillTo(instance, FILL);
      await vacuumAnalyze(url);
      results.queries = { stored: FILL, fillRate, times: await queryTimes(instance) };
    } finally {
      await stopInstance(instance);
    }

    const pad = (s, n) => String(s).padEnd(n);
    log(`${pad("workload (messages/s)", 36)}${pad("1 instance", 14)}2 instances`);
    for (const r of results.workloads)
      log(`${pad(r.name, 36)}${pad(r.oneInstance.toFixed(0), 14)}${r.twoInstances.toFixed(0)}`);
    const ms = (v) => `${v.toFixed(1)} ms`;
    const { sameInstance, acrossInstances } = results.latency;
    log(`send → wait, same instance:    p50 ${ms(sameInstance.p50)}, p99 ${ms(sameInstance.p99)}`);
    log(
      `send → wait, across instances: p50 ${ms(acrossInstances.p50)}, p99 ${ms(acrossInstances.p99)} (LISTEN/NOTIFY)`,
    );
    log(
      `at ${results.queries.stored} stored messages (filled at ${results.queries.fillRate.toFixed(0)} msg/s, then VACUUM ANALYZE):`,
    );
    for (const line of queryLines(results.queries.times)) log(`  ${line}`);
    return results;
  } finally {
    await server?.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchPostgres().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
