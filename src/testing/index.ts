export { startSandbox } from "./start-sandbox.js";
export type { TestSandbox } from "./start-sandbox.js";
export { globalSetup } from "./global-setup.js";
export { Mailproof } from "../client/mailproof.js";
export type { CreateSandboxOptions } from "../sandbox.js";
