export { createCodesAnalyzer, findMessageCodes } from "./codes-analyzer.js";
