export {
  ALL_CLIENTS,
  buildReport,
  createCompatibilityAnalyzer,
  type CompatibilityFeature,
  type CompatibilityOptions,
  type CompatibilityReport,
} from "./compatibility-analyzer.js";
