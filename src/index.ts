// Sandbox
export { createSandbox } from "./sandbox.js";
export type { Sandbox, CreateSandboxOptions } from "./sandbox.js";
export { defaultOptions } from "./config/options.js";
export type { SandboxOptions, Credentials } from "./config/options.js";

// Message model
export type * from "./core/types.js";
export type { MailproofEvents, EventName } from "./core/events.js";
export { MailproofError } from "./core/errors.js";
export type { ErrorCode } from "./core/errors.js";

// Faults and SMTP session transcripts
export type { FaultRule, FaultStage, FaultMatch, FaultReply, RateLimit } from "./faults/index.js";
export type {
  SessionTranscript,
  SessionSummary,
  TranscriptLine,
  TranscriptFault,
} from "./core/transcripts.js";

// Search
export { parseQuery, matches } from "./store/query.js";
