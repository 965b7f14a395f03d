export { createLinksAnalyzer, analyzeLinks } from "./links-analyzer.js";
export {
  createLinkChecker,
  type LinkChecker,
  type LinkCheckerOptions,
  type LiveResult,
} from "./live-check.js";
export { createLiveCheckQueue, withLiveResults, type LiveCheckQueue } from "./live-queue.js";
