import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI } from "./cli.js";

/** One stage of `mailproof doctor --json`. */
export interface DoctorStage {
  name: string;
  status: string;
  summary: string;
  durationMs: number;
  cause?: { code: string; message: string };
  evidence: string[];
  causes: string[];
  next: string[];
}

export interface DoctorRun {
  code: number | null;
  stdout: string;
  stderr: string;
  stages: DoctorStage[];
  report: { version?: number; ok?: boolean };
}

const MAIL_VARIABLES =
  /^(MAIL_|SMTP_|EMAIL_|DEFAULT_FROM|TEST_EMAIL|APP_URL|SENDGRID|MAILGUN|POSTMARK|RESEND|AWS_|REDIS_URL|NO_COLOR)/;

/** A directory for a test file's zone and env files. */
export const scratch = () => mkdtempSync(join(tmpdir(), "mailproof-doctor-"));

export function writeJson(dir: string, name: string, value: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

/** Runs the built `mailproof doctor` with only the given mail settings in its environment. */
export function runDoctorCli(
  env: Record<string, string>,
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<DoctorRun> {
  return new Promise((resolve) => {
    const base = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !MAIL_VARIABLES.test(k)),
    );
    const child = spawn(process.execPath, [CLI, "doctor", ...args], {
      env: { ...base, ...env, ...extraEnv },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.once("exit", (code) => {
      let report: { version?: number; ok?: boolean; stages?: DoctorStage[] } = {};
      try {
        report = JSON.parse(stdout);
      } catch {
        // not JSON (human output or a crash): stdout and stderr tell
      }
      resolve({ code, stdout, stderr, stages: report.stages ?? [], report });
    });
  });
}

export function stageOf(run: DoctorRun, name: string): DoctorStage {
  const found = run.stages.find((s) => s.name === name);
  if (!found)
    throw new Error(
      `no stage ${name}; exit ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`,
    );
  return found;
}

/**
 * Runs doctor in this process (the same runDoctor the CLI calls), for tables of cases where
 * spawning a Node process per case would only add start-up time; `code` is null. Exit codes are
 * asserted by the CLI runs in each file.
 */
export async function runDoctorInProcess(
  env: Record<string, string>,
  options: { zoneFile: string; timeoutMs: number; spfIp?: string; dkimSelectors?: string[] },
): Promise<DoctorRun> {
  const [{ runDoctor }, { toJson }, { createDnsZone, createResolver }] = await Promise.all([
    import("../../src/doctor/run-doctor.js"),
    import("../../src/doctor/report.js"),
    import("../../src/analysis/dns/index.js"),
  ]);
  const zone = createDnsZone(JSON.parse(readFileSync(options.zoneFile, "utf8")));
  const stages = await runDoctor({
    env,
    envLabel: "test",
    compare: null,
    to: null,
    dkimSelectors: options.dkimSelectors ?? ["mail"],
    resolver: createResolver(zone, { modes: ["zone"] }),
    spfIp: options.spfIp ?? null,
    apiUrl: null,
    providerUrls: {},
    timeoutMs: options.timeoutMs,
  });
  const report = toJson(stages);
  return { code: null, stdout: "", stderr: "", stages: report.stages, report };
}
