import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parse } from "yaml";
import { loadConfig } from "../../examples/saas-auth/src/config.js";
import { resolveServeOptions } from "../../src/config/resolve.js";
import type { Sandbox } from "../../src/sandbox.js";
import { startTestSandbox } from "../helpers/sandbox.js";

/**
 * There is no Docker engine on our machines, so the Dockerfile and docker-compose.yml are
 * checked statically against the repository: every file, stage, port, variable and command they
 * name must exist and mean what they say. The parts that can run here (the entry point's
 * argument parsing, the health check command, the example app's configuration) are run.
 */
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const at = (...parts: string[]) => join(ROOT, ...parts);

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  image: string;
  name: string;
  instructions: Instruction[];
}

/** Dockerfile → stages of instructions (continuation lines joined, comments dropped). */
function parseDockerfile(text: string): Stage[] {
  const logical = text
    .split("\n")
    .filter((line) => !/^\s*#/.test(line))
    .join("\n")
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, op, args] = /^(\S+)\s+(.*)$/.exec(line)!;
    if (op.toUpperCase() === "FROM") {
      const [, image, name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args)!;
      stages.push({ image, name: name ?? String(stages.length), instructions: [] });
    } else {
      stages.at(-1)!.instructions.push({ op: op.toUpperCase(), args });
    }
  }
  return stages;
}

const execForm = (args: string): string[] => JSON.parse(args.replace(/^--\S+\s+/g, "")) as string[];
const ofOp = (stage: Stage, op: string) => stage.instructions.filter((i) => i.op === op);

/** .dockerignore patterns (Go filepath.Match, `**` for any depth) as a predicate. */
function dockerIgnored(path: string): boolean {
  const patterns = readFileSync(at(".dockerignore"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  return patterns.some((pattern) => {
    const regex = new RegExp(
      `^${pattern
        .split("/")
        .map((seg) =>
          seg === "**" ? ".*" : seg.replace(/[.+^${}()|[\]]/g, "\\$&").replace(/\*/g, "[^/]*"),
        )
        .join("/")
        .replace(/\.\*\//g, "(?:.*/)?")}(?:/.*)?$`,
    );
    return regex.test(path);
  });
}

const dockerfile = parseDockerfile(readFileSync(at("Dockerfile"), "utf8"));
const stage = (name: string) => {
  const found = dockerfile.find((s) => s.name === name);
  if (!found) throw new Error(`no stage ${name}`);
  return found;
};
const runtime = dockerfile.at(-1)!;
const compose = parse(readFileSync(at("docker-compose.yml"), "utf8"), { merge: true }) as {
  name?: string;
  services: Record<string, any>;
  volumes?: Record<string, unknown>;
};
const services = Object.entries(compose.services);

describe("Dockerfile", () => {
  test("is multi-stage on Node 20 slim, the runtime stage last (the default target)", () => {
    expect(dockerfile.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile[0]).toMatchObject({ image: "node:20-slim", name: "build" });
    expect(runtime).toMatchObject({ image: "node:20-slim", name: "runtime" });
    for (const s of dockerfile) {
      expect(
        s.image === "node:20-slim" || dockerfile.some((other) => other.name === s.image),
        `${s.name} FROM ${s.image}`,
      ).toBe(true);
    }
  });

  test("the build stage has a compiler toolchain for better-sqlite3 and builds the package", () => {
    const runs = ofOp(stage("build"), "RUN")
      .map((i) => i.args)
      .join("\n");
    expect(runs).toMatch(/apt-get install[^\n]*python3[^\n]*make[^\n]*g\+\+/);
    expect(runs).toContain("npm ci");
    expect(runs).toContain("npm rebuild better-sqlite3");
    expect(runs).toContain("npm run build");
  });

  test("every COPY source exists in the build context and is not excluded by .dockerignore", () => {
    const copies = dockerfile.flatMap((s) =>
      ofOp(s, "COPY").filter((i) => !i.args.startsWith("--from")),
    );
    expect(copies.length).toBeGreaterThan(3);
    for (const copy of copies) {
      const parts = copy.args.split(/\s+/);
      for (const source of parts.slice(0, -1)) {
        expect(existsSync(at(source)), `COPY ${source}`).toBe(true);
        expect(dockerIgnored(source), `${source} is excluded by .dockerignore`).toBe(false);
      }
    }
    // The build context must not carry local state into the image.
    for (const local of [
      "node_modules",
      "dist",
      "ui/dist",
      ".git",
      "examples/saas-auth/node_modules",
      "store.db",
    ])
      expect(dockerIgnored(local), local).toBe(true);
  });

  test("COPY --from takes files an earlier stage has: the repository's or the build's outputs", () => {
    dockerfile.forEach((s, index) => {
      for (const copy of ofOp(s, "COPY").filter((i) => i.args.startsWith("--from"))) {
        const [, from, source] = /^--from=(\S+)\s+(\S+)\s+\S+$/.exec(copy.args)!;
        expect(
          dockerfile.slice(0, index).some((earlier) => earlier.name === from),
          `stage ${from} before ${s.name}`,
        ).toBe(true);
        // WORKDIR /app in the build stage mirrors the repository; dist/ and ui/dist/ are what `npm run build` writes.
        expect(source.startsWith("/app/"), source).toBe(true);
        expect(
          existsSync(at(source.slice("/app/".length))),
          `${source} (run npm run build first)`,
        ).toBe(true);
      }
    });
    expect(JSON.parse(readFileSync(at("package.json"), "utf8")).scripts.build).toContain(
      "tsconfig.build.json",
    );
  });

  test("runs as a non-root user, exposes SMTP 1025 and HTTP 8025", () => {
    const user = ofOp(runtime, "USER").at(-1)?.args;
    expect(user).toBeDefined();
    expect(["root", "0"]).not.toContain(user);
    expect(ofOp(runtime, "EXPOSE").flatMap((i) => i.args.split(/\s+/))).toEqual(["1025", "8025"]);
  });

  test("ENTRYPOINT + CMD is the built CLI serving on 0.0.0.0 with the exposed ports", () => {
    const entrypoint = execForm(ofOp(runtime, "ENTRYPOINT")[0].args);
    const cmd = execForm(ofOp(runtime, "CMD")[0].args);
    const pkg = JSON.parse(readFileSync(at("package.json"), "utf8"));
    const script = pkg.bin.mailproof.replace(/^\.\//, "");
    // The binary with the node flags `npm start` gives it (see docs/DESIGN-NOTES.md, "Node flags").
    const start = pkg.scripts.start.split(" ");
    expect(start[0]).toBe("node");
    expect(start.at(-1)).toBe(script);
    const flags = start.slice(1, -1);
    expect(flags).toContain("--max-semi-space-size=2");
    expect(entrypoint).toEqual(["node", ...flags, script]);
    expect(cmd[0]).toBe("serve");
    const env = Object.fromEntries(
      ofOp(runtime, "ENV").flatMap((i) =>
        [...i.args.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]]),
      ),
    );
    const { options } = resolveServeOptions(cmd.slice(1), env);
    expect(options).toMatchObject({ host: "0.0.0.0", smtpPort: 1025, httpPort: 8025 });
    // The real entry point accepts the command line (asking for help, so nothing binds).
    const run = spawnSync(process.execPath, [...flags, at(script), ...cmd, "--help"], {
      encoding: "utf8",
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("--host");
  });

  test("the saas-auth stage runs the compiled example app", () => {
    const cmd = execForm(ofOp(stage("saas-auth"), "CMD")[0].args);
    expect(cmd[0]).toBe("node");
    // tsc -p examples/saas-auth: rootDir "." and outDir "dist", so src/main.ts → dist/src/main.js.
    const tsconfig = JSON.parse(readFileSync(at("examples/saas-auth/tsconfig.json"), "utf8"));
    expect(tsconfig.compilerOptions).toMatchObject({ rootDir: ".", outDir: "dist" });
    expect(cmd[1]).toBe("examples/saas-auth/dist/src/main.js");
    expect(existsSync(at("examples/saas-auth/src/main.ts"))).toBe(true);
    expect(ofOp(stage("saas-auth"), "RUN").map((i) => i.args)).toContain(
      "npm run tsc -- -p examples/saas-auth",
    );
  });

  test("the example app needs nothing the saas-auth stage lacks", () => {
    const pkg = JSON.parse(readFileSync(at("package.json"), "utf8"));
    const installed = new Set([
      ...Object.keys(pkg.dependencies),
      ...Object.keys(pkg.devDependencies),
    ]);
    const dir = at("examples/saas-auth");
    const files = (readdirSync(dir, { recursive: true }) as string[]).filter(
      (f) => /\.ts$/.test(f) && !f.includes("node_modules") && !f.startsWith("dist"),
    );
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) {
      for (const [, specifier] of readFileSync(join(dir, file), "utf8").matchAll(
        /from "([^"]+)"/g,
      )) {
        if (specifier.startsWith(".")) {
          // Relative imports stay inside the example, which the stage copies whole.
          expect(
            relative(dir, join(dir, file, "..", specifier)).startsWith(".."),
            `${file}: ${specifier}`,
          ).toBe(false);
        } else if (!specifier.startsWith("node:")) {
          const name = specifier.startsWith("@")
            ? specifier.split("/").slice(0, 2).join("/")
            : specifier.split("/")[0];
          // mailproof/* resolves to the package itself (its exports point into the built dist/).
          expect(name === pkg.name || installed.has(name), `${file}: ${specifier}`).toBe(true);
        }
      }
    }
    expect(dockerIgnored("examples/saas-auth/src/main.ts")).toBe(false);
  });

  describe("HEALTHCHECK", () => {
    let sandbox: Sandbox;
    beforeAll(async () => {
      sandbox = await startTestSandbox();
    });
    afterAll(() => sandbox.stop());

    const healthcheck = () =>
      execForm(ofOp(runtime, "HEALTHCHECK")[0].args.replace(/^(--\S+\s+)*CMD\s+/, ""));
    // Asynchronously: the sandbox answering it runs in this very process.
    const run = (port: number) =>
      new Promise<number | null>((resolve, reject) => {
        const [command, ...args] = healthcheck();
        const child = spawn(command === "node" ? process.execPath : command, args, {
          env: { ...process.env, MAILPROOF_HTTP_PORT: String(port) },
          stdio: "ignore",
        });
        child.once("error", reject);
        child.once("exit", (code) => resolve(code));
      });

    test("asks /api/health and succeeds against a running sandbox", async () => {
      expect(healthcheck().join(" ")).toContain("/api/health");
      expect(await run(sandbox.httpPort)).toBe(0);
    });

    test("succeeds when the API is guarded by a token (health stays open)", async () => {
      const guarded = await startTestSandbox({ apiToken: "s3cret" });
      try {
        expect((await fetch(`${guarded.url}/api/messages`)).status).toBe(401);
        expect(await run(guarded.httpPort)).toBe(0);
      } finally {
        await guarded.stop();
      }
    });

    test("fails when nothing answers", async () => {
      const probe = await startTestSandbox();
      const closedPort = probe.httpPort;
      await probe.stop();
      expect(await run(closedPort)).toBe(1);
    });
  });
});

describe("docker-compose.yml", () => {
  const isMailproof = (service: any) => service.build?.target === "runtime";
  const targetStage = (service: any): Stage | null =>
    service.build ? stage(service.build.target ?? runtime.name) : null;

  test("parses, with only known top-level keys", () => {
    for (const key of Object.keys(compose))
      expect(
        ["name", "services", "volumes", "networks"].includes(key) || key.startsWith("x-"),
        key,
      ).toBe(true);
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(["mailproof", "app", "postgres", "mailproof-a", "mailproof-b"]),
    );
  });

  test("builds from this repository's Dockerfile stages or names a public image", () => {
    for (const [name, service] of services) {
      if (service.build) {
        expect(statSync(at(service.build.context)).isDirectory(), name).toBe(true);
        expect(
          existsSync(at(service.build.context, service.build.dockerfile ?? "Dockerfile")),
          name,
        ).toBe(true);
        expect(targetStage(service), name).not.toBeNull();
      } else {
        expect(service.image, name).toMatch(/^[a-z0-9./-]+:[\w.-]+$/);
      }
    }
  });

  test("publishes container ports the image exposes, each host port once", () => {
    const hostPorts: string[] = [];
    for (const [name, service] of services) {
      const exposed = targetStage(service)
        ? ofOp(targetStage(service)!, "EXPOSE").flatMap((i) => i.args.split(/\s+/))
        : null;
      for (const mapping of (service.ports ?? []) as string[]) {
        const [host, container] = mapping.split(":");
        if (exposed) expect(exposed, `${name} ${mapping}`).toContain(container);
        hostPorts.push(host);
      }
    }
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
  });

  test("bind mounts exist, named volumes are declared, dependencies exist and can become healthy", () => {
    for (const [name, service] of services) {
      for (const volume of (service.volumes ?? []) as string[]) {
        const [source] = volume.split(":");
        if (source.startsWith(".")) expect(existsSync(at(source)), `${name}: ${source}`).toBe(true);
        else expect(Object.keys(compose.volumes ?? {}), `${name}: ${source}`).toContain(source);
      }
      for (const [dependency, condition] of Object.entries(
        (service.depends_on ?? {}) as Record<string, { condition: string }>,
      )) {
        const target = compose.services[dependency];
        expect(target, `${name} depends on ${dependency}`).toBeDefined();
        if (condition.condition === "service_healthy") {
          const hasCheck =
            Boolean(target.healthcheck) ||
            (targetStage(target) !== null && ofOp(targetStage(target)!, "HEALTHCHECK").length > 0);
          expect(hasCheck, `${dependency} has a health check`).toBe(true);
        }
        // A service in a profile is only started with that profile: depend within it, or on a default service.
        expect(
          !target.profiles ||
            (service.profiles ?? []).some((p: string) => target.profiles.includes(p)),
          `${name} → ${dependency}`,
        ).toBe(true);
      }
    }
  });

  /** A path inside a container, resolved to the repository file a bind mount or the image puts there. */
  const hostPath = (service: any, containerPath: string): string => {
    for (const volume of (service.volumes ?? []) as string[]) {
      const [source, target] = volume.split(":");
      if (
        source.startsWith(".") &&
        (containerPath === target || containerPath.startsWith(`${target}/`))
      )
        return at(source, relative(target, containerPath));
    }
    // WORKDIR /app mirrors the repository in the build-derived stages.
    if (containerPath.startsWith("/app/")) return at(containerPath.slice("/app/".length));
    throw new Error(`${containerPath} is neither mounted nor in the image`);
  };

  test("mailproof services set only real MAILPROOF_* options, with values the CLI accepts", () => {
    const mailproofs = services.filter(([, s]) => isMailproof(s));
    expect(mailproofs.map(([n]) => n)).toEqual(["mailproof", "mailproof-a", "mailproof-b"]);
    const cmd = execForm(ofOp(runtime, "CMD")[0].args).slice(1);
    for (const [name, service] of mailproofs) {
      const env: Record<string, string> = {};
      for (const [key, value] of Object.entries(
        (service.environment ?? {}) as Record<string, string>,
      )) {
        expect(key, name).toMatch(/^MAILPROOF_[A-Z_]+$/);
        const flag = `--${key.slice("MAILPROOF_".length).toLowerCase().replaceAll("_", "-")}`;
        // parseArgs is strict: an option the CLI does not know throws.
        expect(() => resolveServeOptions([flag, "x"], {}), `${name}: ${key}`).not.toThrow(
          /Unknown option/,
        );
        env[key] = /^MAILPROOF_(DNS_ZONE|CONFIG|TLS_CERT|TLS_KEY)$/.test(key)
          ? hostPath(service, value)
          : String(value);
      }
      const { options } = resolveServeOptions(cmd, env);
      expect(options.host, name).toBe("0.0.0.0");
      if (name === "mailproof")
        expect(Object.keys(options.dnsZone ?? {})).toContain("saas.example");
    }
  });

  test("the postgres profile runs two mailproof instances on the PostgreSQL service's database", () => {
    const postgres = compose.services.postgres;
    expect(postgres.profiles).toEqual(["postgres"]);
    const expected = `postgres://${postgres.environment.POSTGRES_USER}:${postgres.environment.POSTGRES_PASSWORD}@postgres:5432/${postgres.environment.POSTGRES_DB}`;
    for (const name of ["mailproof-a", "mailproof-b"]) {
      const service = compose.services[name];
      expect(service.profiles, name).toEqual(["postgres"]);
      expect(service.environment.MAILPROOF_DB, name).toBe(expected);
      expect(service.depends_on.postgres.condition).toBe("service_healthy");
    }
    expect(compose.services.mailproof.profiles).toBeUndefined();
  });

  test("the example app reaches mailproof by SMTP_HOST and loads its configuration", () => {
    const app = compose.services.app;
    const config = readFileSync(at("examples/saas-auth/src/config.ts"), "utf8");
    for (const key of Object.keys(app.environment))
      expect(config, `the app reads ${key}`).toMatch(new RegExp(`\\b${key}\\b`));
    const env = {
      ...app.environment,
      DKIM_PRIVATE_KEY_FILE: hostPath(app, app.environment.DKIM_PRIVATE_KEY_FILE),
    };
    const loaded = loadConfig(env);
    expect(loaded.transport).toMatchObject({ kind: "smtp", host: "mailproof", port: 1025 });
    expect(loaded.dkim).toMatchObject({ domainName: "saas.example", keySelector: "mail2026" });
    // SMTP_HOST names the mailproof service, on the container port its image exposes.
    expect(
      ofOp(targetStage(compose.services[app.environment.SMTP_HOST])!, "EXPOSE")[0].args.split(
        /\s+/,
      ),
    ).toContain(app.environment.SMTP_PORT);
    expect(new URL(app.environment.APP_URL).hostname).toBe("app");
    expect(new URL(app.environment.APP_URL).port).toBe(app.environment.PORT);
    expect(ofOp(stage("saas-auth"), "EXPOSE")[0].args).toBe(app.environment.PORT);
  });
});

describe('docs/scale-and-docker.md "Running with Docker"', () => {
  const page = readFileSync(at("docs/scale-and-docker.md"), "utf8");
  const start = page.indexOf("## Running with Docker");
  // The section runs to the next heading of its level, or to the end of the page.
  const end = page.indexOf("\n## ", start + 1);
  const section = page.slice(start, end === -1 ? undefined : end);
  const rows = [...section.matchAll(/^\| `([\w-]+)` \|[^|]*\| (.*) \|$/gm)].map((m) => ({
    service: m[1],
    reach: m[2],
  }));

  test("exists and lists every compose service exactly once", () => {
    expect(start).toBeGreaterThan(0);
    expect(rows.map((r) => r.service).sort()).toEqual(Object.keys(compose.services).sort());
  });

  test("gives each service the host ports the compose file publishes", () => {
    for (const { service, reach } of rows) {
      const published = ((compose.services[service].ports ?? []) as string[])
        .map((p) => p.split(":")[0])
        .sort();
      const documented = [...reach.matchAll(/localhost:(\d+)/g)].map((m) => m[1]).sort();
      expect(documented, service).toEqual(published);
      if (published.length === 0) expect(reach, service).toContain("inside the compose network");
    }
  });

  test("its commands name real profiles, exposed ports and the image's defaults", () => {
    for (const [, profile] of section.matchAll(/--profile (\S+)/g)) {
      expect(
        services.some(([, s]) => (s.profiles ?? []).includes(profile)),
        profile,
      ).toBe(true);
    }
    const exposed = ofOp(runtime, "EXPOSE").flatMap((i) => i.args.split(/\s+/));
    for (const [, container] of section.matchAll(/-p \d+:(\d+)/g))
      expect(exposed).toContain(container);
    expect(section).toContain(`\`${execForm(ofOp(runtime, "CMD")[0].args).join(" ")}\``);
    expect(
      ofOp(runtime, "ENV")
        .map((i) => i.args)
        .join(" "),
    ).toContain("MAILPROOF_HOST=0.0.0.0");
    expect(section).toContain("MAILPROOF_HOST=0.0.0.0");
    expect(section).toContain("-v mailproof-data:/data");
    expect(
      ofOp(runtime, "RUN")
        .map((i) => i.args)
        .join("\n"),
    ).toMatch(/mkdir \/data && chown node:node \/data/);
    expect(ofOp(runtime, "USER").at(-1)?.args).toBe("node");
  });

  test("quotes the wiring values the compose file sets", () => {
    const app = compose.services.app.environment;
    for (const key of ["SMTP_HOST", "SMTP_PORT", "APP_URL"])
      expect(section).toContain(`\`${key}=${app[key]}\``);
    for (const name of ["mailproof-a", "mailproof-b"])
      expect(section).toContain(`MAILPROOF_DB=${compose.services[name].environment.MAILPROOF_DB}`);
    for (const [, volume] of section.matchAll(/`([\w-]+)` volume/g))
      expect(Object.keys(compose.volumes ?? {})).toContain(volume);
  });
});
