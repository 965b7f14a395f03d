import { Mailproof } from "../client/mailproof.js";
import { createSandbox, type CreateSandboxOptions, type Sandbox } from "../sandbox.js";

export interface TestSandbox extends Sandbox {
  /** The address SMTP listens on, for the app's SMTP_HOST. */
  smtpHost: string;
  /** A client bound to this sandbox. */
  mail: Mailproof;
  /** What an app under test reads: SMTP_HOST, SMTP_PORT, MAILPROOF_URL. */
  env: { SMTP_HOST: string; SMTP_PORT: string; MAILPROOF_URL: string };
}

/**
 * A real sandbox in this process on free loopback ports (SMTP and HTTP on port 0), logging
 * only warnings unless `logLevel` says otherwise. Stop it in `afterAll`.
 */
export async function startSandbox(options: CreateSandboxOptions = {}): Promise<TestSandbox> {
  const sandbox = await createSandbox({ smtpPort: 0, httpPort: 0, logLevel: "warn", ...options });
  const smtpHost = sandbox.url
    .replace(/^http:\/\//, "")
    .replace(/:\d+$/, "")
    .replace(/^\[|\]$/g, "");
  return Object.assign(sandbox, {
    smtpHost,
    mail: new Mailproof({ url: sandbox.url, token: options.apiToken ?? undefined }),
    env: { SMTP_HOST: smtpHost, SMTP_PORT: String(sandbox.smtpPort), MAILPROOF_URL: sandbox.url },
  });
}
