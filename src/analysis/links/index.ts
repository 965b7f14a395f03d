export { createLinksAnalyzer, analyzeLinks, collectLinks, MAX_LINKS } from "./links-analyzer.js";
export { createLinkChecker, type LinkChecker, type LinkCheckerOptions, type LiveResult } from "./live-check.js";
export { createLiveCheckQueue, withLiveResults, type LiveCheckQueue, type LiveCheckQueueOptions, type LiveCheckResults } from "./live-queue.js";
