export { createAuthAnalyzer, type AuthAnalyzerOptions } from "./auth-analyzer.js";
export {
  isAligned,
  organizationalDomain,
  parseDmarcRecord,
  type AlignmentMode,
} from "./alignment.js";
export { mapAuthResults } from "./map-results.js";
