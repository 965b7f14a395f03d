import { lookup } from "node:dns/promises";
import net from "node:net";
import { failure, result, type SmtpTarget, type StageResult } from "./types.js";

/** Stage 3: can a TCP connection reach host:port? Tells refused, timed out and unresolvable apart. */
export async function checkConnect(target: SmtpTarget, timeoutMs: number): Promise<StageResult> {
  const where = `${target.host}:${target.port}`;
  if (!net.isIP(target.host)) {
    try {
      const addresses = await lookup(target.host, { all: true });
      if (addresses.length === 0)
        throw Object.assign(new Error("no addresses"), { code: "ENOTFOUND" });
    } catch (err) {
      return failure(
        "connect",
        "net.dns-not-found",
        `${target.host} does not resolve (${(err as { code?: string }).code ?? (err as Error).message})`,
        {
          causes: [
            "a typo in SMTP_HOST",
            "an internal name used outside its network (e.g. a Docker service name from the host)",
          ],
          next: [`check SMTP_HOST; try: getent hosts ${target.host}`],
        },
      );
    }
  }
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = net.connect({ host: target.host, port: target.port });
    const finish = (stage: StageResult) => {
      socket.destroy();
      resolve(stage);
    };
    socket.setTimeout(timeoutMs, () =>
      finish(
        failure(
          "connect",
          "net.timeout",
          `connecting to ${where} timed out after ${timeoutMs} ms: the port is blocked or the host is down`,
          {
            causes: [
              "a firewall or security group drops the traffic to this port",
              "outbound port 25 is blocked (most cloud providers block it)",
              "the host is down",
            ],
            next: [
              `try port 587 (STARTTLS) or 465 (TLS) instead of 25; test with: nc -vz ${target.host} ${target.port}`,
            ],
          },
        ),
      ),
    );
    socket.once("connect", () =>
      finish(
        result("connect", "pass", `connected to ${where} in ${Date.now() - started} ms`, {
          evidence: [`remote ${socket.remoteAddress}:${socket.remotePort}`],
        }),
      ),
    );
    socket.once("error", (err: Error & { code?: string }) => {
      if (err.code === "ECONNREFUSED") {
        finish(
          failure(
            "connect",
            "net.refused",
            `nothing is listening on ${where} (connection refused)`,
            {
              causes: [
                "wrong SMTP_PORT",
                "the mail server or sandbox is not running",
                "it listens on another interface (127.0.0.1 vs 0.0.0.0)",
              ],
              next: [
                `check the port the server listens on (mailproof prints "smtp listening on …"); test with: nc -vz ${target.host} ${target.port}`,
              ],
            },
          ),
        );
      } else {
        finish(
          failure(
            "connect",
            "net.error",
            `connecting to ${where} failed: ${err.code ?? err.message}`,
            { causes: [err.message], next: [`test with: nc -vz ${target.host} ${target.port}`] },
          ),
        );
      }
    });
  });
}
