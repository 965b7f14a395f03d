export { createSpamAnalyzer } from "./spam-analyzer.js";
export {
  parseResponse,
  parseSpamdAddress,
  spamcReport,
  type SpamReport,
  type SpamRule,
  type SpamdAddress,
} from "./spamc.js";
