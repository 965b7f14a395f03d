/**
 * The SES mailbox simulator: fixed addresses at simulator.amazonses.com that produce a known
 * outcome, `+label` allowed, usable from the sandbox without verification.
 * https://docs.aws.amazon.com/ses/latest/dg/send-an-email-from-console.html#send-email-simulator
 */

export type SesOutcome =
  | { kind: "delivery" }
  | { kind: "ooto" }
  | { kind: "complaint" }
  | {
      kind: "bounce";
      subType: "General" | "Suppressed" | "OnAccountSuppressionList";
      status: string;
      diagnosticCode: string;
    };

const SIMULATOR_DOMAIN = "simulator.amazonses.com";

export function isSimulatorAddress(address: string): boolean {
  return address.toLowerCase().endsWith(`@${SIMULATOR_DOMAIN}`);
}

/** The simulated outcome for an address, or null for an ordinary recipient. */
export function simulatorOutcome(address: string): SesOutcome | null {
  if (!isSimulatorAddress(address)) return null;
  const local = address.slice(0, address.lastIndexOf("@")).toLowerCase().replace(/\+.*$/, "");
  switch (local) {
    case "success":
      return { kind: "delivery" };
    case "ooto":
      return { kind: "ooto" };
    case "complaint":
      return { kind: "complaint" };
    case "bounce":
      return {
        kind: "bounce",
        subType: "General",
        status: "5.1.1",
        diagnosticCode: "smtp; 550 5.1.1 user unknown",
      };
    case "suppressionlist":
      return {
        kind: "bounce",
        subType: "Suppressed",
        status: "5.1.1",
        diagnosticCode:
          "Amazon SES has suppressed sending to this address because it has a recent history of bouncing as an invalid address.",
      };
    default:
      // Unknown simulator mailboxes bounce like any nonexistent mailbox.
      return {
        kind: "bounce",
        subType: "General",
        status: "5.1.1",
        diagnosticCode: "smtp; 550 5.1.1 user unknown",
      };
  }
}

/** Addresses on the account-level suppression list bounce without an attempt (SES v2 feature). */
export const accountSuppressed: SesOutcome = {
  kind: "bounce",
  subType: "OnAccountSuppressionList",
  status: "5.1.1",
  diagnosticCode:
    "Amazon SES did not send the message to this address because it is on the suppression list for your account.",
};
