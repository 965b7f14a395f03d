export { createHeadersAnalyzer, headerRules } from "./headers-analyzer.js";
export { looksBulk, unsubscribeState, type UnsubscribeState } from "./bulk.js";
export type { HeaderRule, RuleInput } from "./rule.js";
