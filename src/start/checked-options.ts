import { parseSpamdAddress } from "../analysis/spam/spamc.js";
import type { SandboxOptions } from "../config/options.js";
import { MailproofError } from "../core/errors.js";
import { createConfiguredFaultEngine, type FaultEngine } from "../faults/index.js";
import { compileTagRules, type TagRule } from "../ingest/capture-tags.js";
import { createStateRegistry } from "../providers/index.js";
import type { StateRegistry } from "../providers/shared/state.js";
import { parseRelayTarget, type RelayTarget } from "../relay/relay-target.js";
import { compileBounceRules, parseInboundUrl } from "../roundtrip/index.js";
import { checkTlsPair } from "./errors.js";
import { parseQuery, type Query } from "../store/query.js";

/** The options that compile into rules, compiled; the rest only checked. */
export interface CheckedOptions {
  providerStates: StateRegistry;
  /** SMTP fault rules (config file, --fault); PUT /api/faults replaces them at run time. */
  faults: FaultEngine;
  tagRules: TagRule[];
  relayTarget: RelayTarget | null;
  relayMatching: Query | null;
  bounceRules: ReturnType<typeof compileBounceRules>;
}

/**
 * Every option that can be wrong is checked here, before the store opens, so a bad one fails
 * without leaving anything open. Throws the first problem as a `MailproofError`.
 */
export function checkOptions(options: SandboxOptions): CheckedOptions {
  if (options.spamd) parseSpamdAddress(options.spamd);
  const providerStates = createStateRegistry(options.providers);
  const faults = createConfiguredFaultEngine({}, options.faults);
  const tagRules = compileTagRules(options.tagRules);
  const relayTarget = options.relay ? parseRelayTarget(options.relay) : null;
  const relayMatching = options.relayMatching ? parseQuery(options.relayMatching) : null;
  if (relayMatching && options.relayAllow.length === 0) {
    throw new MailproofError(
      "CONFIG_INVALID",
      "--relay-matching relays real mail without anyone looking: give --relay-allow recipient globs (e.g. '*@example.com') too",
    );
  }
  if (relayMatching && !relayTarget)
    throw new MailproofError("CONFIG_INVALID", "--relay-matching needs --relay smtp://host:port");
  const bounceRules = compileBounceRules(options.bounces);
  if (options.inbound) parseInboundUrl(options.inbound);
  checkTlsPair(options.tlsCert, options.tlsKey);
  return { providerStates, faults, tagRules, relayTarget, relayMatching, bounceRules };
}
