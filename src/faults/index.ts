export { parseFaultFlag } from "./compact.js";
export {
  createConfiguredFaultEngine,
  createFaultEngine,
  type FaultEngine,
  type FaultEngineDeps,
} from "./engine.js";
export { compileGlob } from "../core/glob.js";
export {
  createRuleRuntime,
  type FaultSubject,
  type MatchField,
  type RuleRuntime,
  type RuleTrigger,
} from "./runtime.js";
export { validateFaultRule, validateFaultRules } from "./validate.js";
export { validateTrigger } from "./validate-trigger.js";
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
