export { evaluateReceivers, type ReceiverFacts } from "./evaluate.js";
export {
  foldLocalDevelopmentFindings,
  isLocalDevelopment,
  type LocalDevelopmentFacts,
} from "./local-development.js";
export {
  createReverseDnsCheck,
  isLocalAddress,
  reverseName,
  type ReverseDns,
} from "./reverse-dns.js";
