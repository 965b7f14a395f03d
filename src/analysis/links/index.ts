export { createLinksAnalyzer, analyzeLinks, type LinksAnalyzerOptions } from "./links-analyzer.js";
export { createLinkChecker, type LinkChecker, type LinkCheckerOptions, type LiveResult } from "./live-check.js";
