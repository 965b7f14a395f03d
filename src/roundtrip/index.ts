export { createInboundTarget, parseInboundUrl, type InboundTarget } from "./inbound/target.js";
export { startResponder, type Responder } from "./responder.js";
export { compileBounceRules } from "./rules.js";
