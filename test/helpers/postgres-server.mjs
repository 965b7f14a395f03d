// A throwaway PostgreSQL server from the distribution's packages (Debian: `postgresql`): `initdb`
// into a temporary directory, `postgres` on a free loopback port, everything removed on stop.
// Plain JavaScript so that both the tests (through postgres.ts) and `bench/postgres.mjs` (on
// dist/, without a TypeScript loader) use it. PostgreSQL refuses to run as root, so under root
// (CI) the server runs as the `postgres` account the package creates (or `nobody`), through
// spawn's uid/gid.
import { spawn, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

function binDir() {
  if (process.env.MAILPROOF_PG_BIN) return process.env.MAILPROOF_PG_BIN;
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "initdb")))
    : [];
  if (versions.length === 0) {
    throw new Error(
      "PostgreSQL server binaries not found: apt-get install postgresql (or set MAILPROOF_PG_BIN to its bin directory)",
    );
  }
  versions.sort((a, b) => Number(b) - Number(a));
  return join(root, versions[0], "bin");
}

/** The account to run the server as: ourselves, or an unprivileged one when we are root. */
function serverUser() {
  if (process.getuid?.() !== 0) return null;
  for (const name of ["postgres", "nobody"]) {
    const uid = spawnSync("id", ["-u", name], { encoding: "utf8" });
    const gid = spawnSync("id", ["-g", name], { encoding: "utf8" });
    if (uid.status === 0 && gid.status === 0)
      return { uid: Number(uid.stdout), gid: Number(gid.stdout) };
  }
  throw new Error("running as root and neither a postgres nor a nobody account exists");
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitReady(url, died, log) {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (died()) throw new Error(`postgres exited during start-up:\n${log()}`);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`postgres did not accept connections within 15 s:\n${log()}`);
}

/**
 * @param {{ durable?: boolean }} [options] durable: keep fsync on (benchmarks measure real
 *   commits); tests turn it off, since commits are still commits and the directory is thrown away.
 */
/** Runs `work` with a client connected to `url`, and disconnects it afterwards. */
export async function withClient(url, work) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function startPostgresServer(options = {}) {
  const bin = binDir();
  const user = serverUser();
  const asUser = user ? { uid: user.uid, gid: user.gid } : {};
  const dir = mkdtempSync(join(tmpdir(), "mailproof-pg-"));
  const data = join(dir, "data");
  const pwfile = join(dir, "pw");
  writeFileSync(pwfile, "mailproof\n");
  if (user) for (const path of [dir, pwfile]) chownSync(path, user.uid, user.gid);

  const init = spawnSync(
    join(bin, "initdb"),
    [
      "-D",
      data,
      "-U",
      "mailproof",
      "--pwfile",
      pwfile,
      "-A",
      "scram-sha-256",
      "-E",
      "UTF8",
      "--locale",
      "C",
      "--no-sync",
    ],
    { ...asUser, encoding: "utf8", cwd: dir },
  );
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  }

  const port = await freePort();
  const settings = [
    "listen_addresses=127.0.0.1",
    `unix_socket_directories=${dir}`,
    "max_connections=200",
    ...(options.durable ? [] : ["fsync=off"]),
  ];
  const urlOf = (database) =>
    `postgres://mailproof:mailproof@127.0.0.1:${port}/${encodeURIComponent(database)}`;

  /** Runs `postgres` on the data directory until it accepts connections; resolves with its halt(). */
  const run = async () => {
    const server = spawn(
      join(bin, "postgres"),
      ["-D", data, "-p", String(port), ...settings.flatMap((s) => ["-c", s])],
      {
        ...asUser,
        cwd: dir,
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    let log = "";
    server.stderr.on("data", (chunk) => (log += chunk.toString()));
    const exited = new Promise((resolve) => server.once("exit", () => resolve()));
    const halt = async () => {
      if (server.exitCode === null && server.signalCode === null) {
        server.kill("SIGINT"); // "fast shutdown": rolls back open transactions and disconnects clients
        await exited;
      }
    };
    try {
      await waitReady(
        urlOf("postgres"),
        () => server.exitCode !== null,
        () => log,
      );
    } catch (err) {
      await halt();
      throw err;
    }
    return halt;
  };

  let halt = null;
  const stop = async () => {
    await halt?.();
    halt = null;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    halt = await run();
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    url: urlOf("postgres"),
    port,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: urlOf("postgres") });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      } finally {
        await client.end();
      }
      return urlOf(name);
    },
    async createSchema(name) {
      const client = new pg.Client({ connectionString: urlOf("postgres") });
      await client.connect();
      try {
        await client.query(`CREATE SCHEMA ${pg.escapeIdentifier(name)}`);
      } finally {
        await client.end();
      }
      // Instant, unlike CREATE DATABASE (which checkpoints): a fresh namespace through the URL's options.
      return `${urlOf("postgres")}?options=${encodeURIComponent(`-c search_path=${name}`)}`;
    },
    /** Stops the server but keeps its data, as a database restart or outage does. */
    async pause() {
      await halt?.();
      halt = null;
    },
    /** Starts the paused server again on the same port and data. */
    async resume() {
      if (!halt) halt = await run();
    },
    stop,
  };
}
