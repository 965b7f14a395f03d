import type { CreateSandboxOptions } from "../sandbox.js";
import { startSandbox } from "./start-sandbox.js";

/**
 * A Vitest `globalSetup` that starts one sandbox for the whole run on free ports and exports
 * SMTP_HOST, SMTP_PORT and MAILPROOF_URL to the environment before the test workers start
 * (they inherit it), so the app under test and `new Mailproof()` find it without configuration.
 * MAILPROOF_SMTP_PORT and friends are left alone: they configure `mailproof serve`. The returned teardown stops it and restores the environment.
 *
 * ```ts
 * // test/global-setup.ts, listed in vitest.config.ts `test.globalSetup`
 * import { globalSetup } from "mailproof/testing";
 * export default globalSetup();
 * ```
 */
export function globalSetup(
  options: CreateSandboxOptions = {},
): () => Promise<() => Promise<void>> {
  return async () => {
    const sandbox = await startSandbox(options);
    // With `apiToken`, `new Mailproof()` in the workers needs it too (it reads MAILPROOF_API_TOKEN).
    const exported: Record<string, string> = {
      ...sandbox.env,
      ...(options.apiToken ? { MAILPROOF_API_TOKEN: options.apiToken } : {}),
    };
    const previous = Object.fromEntries(
      Object.keys(exported).map((name) => [name, process.env[name]]),
    );
    Object.assign(process.env, exported);
    return async () => {
      for (const [name, value] of Object.entries(previous)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await sandbox.stop();
    };
  };
}
