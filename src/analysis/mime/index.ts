export { createMimeAnalyzer } from "./mime-analyzer.js";
export { findMimeProblems } from "./mime-problems.js";
