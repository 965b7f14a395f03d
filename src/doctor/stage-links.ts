import { isIP } from "node:net";
import type { DnsResolver } from "../analysis/analyze.js";
import { isLocalAddress } from "./dns-findings.js";
import { checkMessageLinks, type MessageSource } from "./message-links.js";
import { isDevDomain } from "./stage-dns.js";
import { failure, result, type StageResult } from "./types.js";

const NOT_CHECKED =
  "the links in a real email were not checked: pass --trigger URL (a request that makes the app send a reset email to the sandbox) or --message FILE";

/** APP_URL, the base of every link in the app's mail: https, public, resolvable. */
async function checkAppUrl(appUrl: string, resolver: DnsResolver): Promise<StageResult> {
  let url: URL;
  try {
    url = new URL(appUrl);
  } catch {
    return failure("links", "links.app-url-invalid", `APP_URL "${appUrl}" is not an absolute URL`, {
      next: ["set APP_URL to the public base URL, e.g. https://app.example.com"],
    });
  }
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const evidence = [`APP_URL=${appUrl}`];
  if (
    host === "localhost" ||
    host.endsWith(".localhost") ||
    (isIP(host) > 0 && /^(127\.|::1$|0\.)/.test(host))
  ) {
    return failure(
      "links",
      "links.localhost",
      `APP_URL points at ${host}: links in emails will open the recipient's own machine`,
      {
        evidence,
        causes: [
          "a development APP_URL (http://localhost:3000) reached the production or worker environment",
        ],
        next: ["set APP_URL to the public URL where the worker that sends mail runs too"],
      },
    );
  }
  if (isDevDomain(host) || (isIP(host) > 0 && isLocalAddress(host))) {
    return result(
      "links",
      "info",
      `APP_URL ${url.origin} is a development address: links work only where ${host} resolves, never for a real recipient`,
      {
        evidence,
        code: "links.dev-app-url",
        next: [
          "make sure production sets APP_URL to its public URL (check with --env-file .env.production)",
        ],
      },
    );
  }
  if (!isIP(host)) {
    const addresses = (await resolver(host, "A").catch(() => [])) as string[];
    evidence.push(`${host} resolves to ${addresses.join(", ") || "nothing"}`);
    if (addresses.length === 0)
      return failure(
        "links",
        "links.unresolvable",
        `${host} does not resolve: every link in the app's mail is dead`,
        { evidence, next: ["fix APP_URL or the DNS record"] },
      );
    if (addresses.some(isLocalAddress))
      return failure("links", "links.private-address", `${host} resolves to a private address`, {
        evidence,
        causes: ["an internal name in APP_URL"],
        next: ["set APP_URL to the public name of the app"],
      });
  }
  if (url.protocol !== "https:") {
    return result(
      "links",
      "warn",
      "APP_URL is not https: links in mail (reset tokens included) travel in clear text",
      { evidence, code: "links.http", next: ["use https for APP_URL"] },
    );
  }
  return result("links", "pass", `${url.origin} is https, public and resolves`, { evidence });
}

/** Stage 8: APP_URL, then the links of a real email from the app when one is given; says what was not checked. */
export async function checkLinks(
  appUrl: string | undefined,
  resolver: DnsResolver,
  message: MessageSource | null = null,
  timeoutMs = 10_000,
): Promise<StageResult> {
  if (!appUrl && !message) return result("links", "skipped", `APP_URL is not set; ${NOT_CHECKED}`);
  const app = appUrl ? await checkAppUrl(appUrl, resolver) : null;
  if (!message) {
    if (app!.status === "pass")
      return result("links", "info", `${app!.summary}; ${NOT_CHECKED}`, {
        evidence: app!.evidence,
        code: "links.not-checked",
      });
    return {
      ...app!,
      next: [...app!.next, NOT_CHECKED.replace("the links in a real email were not checked: ", "")],
    };
  }
  const links = await checkMessageLinks(message, appUrl ?? null, timeoutMs);
  if (app?.status === "fail" && links.status !== "fail") return app;
  return { ...links, evidence: [...(app?.evidence ?? []), ...links.evidence] };
}
