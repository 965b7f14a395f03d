export { evaluateReceivers, type ReceiverFacts } from "./evaluate.js";
export { createReverseDnsCheck, reverseName, type ReverseDns } from "./reverse-dns.js";
