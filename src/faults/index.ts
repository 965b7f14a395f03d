export { parseFaultFlag } from "./compact.js";
export {
  createConfiguredFaultEngine,
  createFaultEngine,
  type FaultEngine,
  type FaultEngineDeps,
} from "./engine.js";
export { compileGlob } from "../core/glob.js";
export { validateFaultRule, validateFaultRules } from "./validate.js";
export type {
  FaultAction,
  FaultContext,
  FaultMatch,
  FaultReply,
  FaultRule,
  FaultStage,
  RateLimit,
  TlsFault,
  TlsVersion,
} from "./types.js";
