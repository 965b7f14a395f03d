import { serveHelp } from "../config/help.js";
import { resolveServeOptions } from "../config/resolve.js";
import { createSandbox } from "../sandbox.js";

export async function serve(argv: string[]): Promise<number> {
  const { options, help, warnings } = resolveServeOptions(argv, process.env);
  if (help) {
    process.stdout.write(serveHelp());
    return 0;
  }
  const sandbox = await createSandbox(options);
  for (const warning of warnings) sandbox.logger.warn(warning);
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  process.stdout.write(`smtp listening on ${host}:${sandbox.smtpPort}\n`);
  if (sandbox.smtpsPort !== null)
    process.stdout.write(`smtps listening on ${host}:${sandbox.smtpsPort}\n`);
  if (sandbox.pop3Port !== null)
    process.stdout.write(`pop3 listening on ${host}:${sandbox.pop3Port}\n`);
  if (sandbox.imapPort !== null)
    process.stdout.write(`imap listening on ${host}:${sandbox.imapPort}\n`);
  process.stdout.write(`http listening on http://${host}:${sandbox.httpPort}\n`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) return;
      stopping = true;
      sandbox.logger.info({ signal }, "shutting down: finishing in-flight messages");
      sandbox.stop().then(
        () => resolve(0),
        (err: unknown) => {
          sandbox.logger.error({ err }, "shutdown failed");
          resolve(1);
        },
      );
    };
    process.once("SIGINT", () => shutdown("SIGINT"));
    process.once("SIGTERM", () => shutdown("SIGTERM"));
  });
}
