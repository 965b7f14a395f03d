import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { fileURLToPath } from "node:url";

export const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

export interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  smtpPort: number;
  smtpsPort: number | null;
  httpPort: number;
  url: string;
  stdout: () => string;
  stderr: () => string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts the built `mailproof` binary (as `npm start` does) and resolves once it has printed
 * its listening lines. Ports default to 0 so tests never collide.
 */
export function startCli(args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<RunningCli> {
  const child = spawn(process.execPath, [CLI, ...args], {
    // MAILPROOF_DNS=zone: analysis never asks real DNS from a test (an empty zone answers NXDOMAIN).
    env: {
      ...process.env,
      MAILPROOF_SMTP_PORT: "0",
      MAILPROOF_HTTP_PORT: "0",
      MAILPROOF_LOG_LEVEL: "warn",
      MAILPROOF_DNS: "zone",
      ...env,
    },
  });
  let out = "";
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`mailproof did not start within 15 s\nstdout: ${out}\nstderr: ${err}`));
    }, 15_000);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`mailproof exited with ${code} before listening\nstderr: ${err}`));
    });
    child.stdout.on("data", (d) => {
      out += d;
      const http = /http listening on http:\/\/[^:]+:(\d+)/.exec(out);
      const smtp = /smtp listening on [^\n]*:(\d+)\n/.exec(out);
      if (!http || !smtp) return;
      clearTimeout(timer);
      const smtps = /smtps listening on [^\n]*:(\d+)\n/.exec(out);
      const httpPort = Number(http[1]);
      resolve({
        child,
        smtpPort: Number(smtp[1]),
        smtpsPort: smtps ? Number(smtps[1]) : null,
        httpPort,
        url: `http://127.0.0.1:${httpPort}`,
        stdout: () => out,
        stderr: () => err,
        stop(signal = "SIGTERM") {
          if (child.exitCode !== null) return Promise.resolve(child.exitCode);
          child.kill(signal);
          return exited;
        },
      });
    });
  });
}

/** Runs the binary to completion and returns its exit code and output. */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}
