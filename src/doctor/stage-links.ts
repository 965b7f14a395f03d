import { isIP } from "node:net";
import type { DnsResolver } from "../analysis/analyze.js";
import { failure, result, type StageResult } from "./types.js";

function isPrivateAddress(ip: string): boolean {
  return /^(127\.|10\.|192\.168\.|169\.254\.|172\.(1[6-9]|2\d|3[01])\.|0\.)/.test(ip) || ip === "::1" || /^f[cd]/i.test(ip);
}

/** Stage 8: APP_URL, the base of every link in the app's mail: https, public, resolvable. */
export async function checkLinks(appUrl: string | undefined, resolver: DnsResolver): Promise<StageResult> {
  if (!appUrl) return result("links", "skipped", "APP_URL is not set");
  let url: URL;
  try {
    url = new URL(appUrl);
  } catch {
    return failure("links", "links.app-url-invalid", `APP_URL "${appUrl}" is not an absolute URL`, { next: ["set APP_URL to the public base URL, e.g. https://app.example.com"] });
  }
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const local = host === "localhost" || host.endsWith(".localhost") || host.endsWith(".local") || host.endsWith(".test") || (isIP(host) > 0 && isPrivateAddress(host));
  if (local) {
    return failure("links", "links.localhost", `APP_URL points at ${host}: links in emails will open the recipient's own machine`, {
      evidence: [`APP_URL=${appUrl}`],
      causes: ["a development APP_URL (http://localhost:3000) reached the production or worker environment"],
      next: ["set APP_URL to the public URL where the worker that sends mail runs too"],
    });
  }
  const evidence = [`APP_URL=${appUrl}`];
  if (!isIP(host)) {
    const addresses = (await resolver(host, "A").catch(() => [])) as string[];
    evidence.push(`${host} resolves to ${addresses.join(", ") || "nothing"}`);
    if (addresses.length === 0) return failure("links", "links.unresolvable", `${host} does not resolve: every link in the app's mail is dead`, { evidence, next: ["fix APP_URL or the DNS record"] });
    if (addresses.some(isPrivateAddress)) return failure("links", "links.private-address", `${host} resolves to a private address`, { evidence, causes: ["an internal name in APP_URL"], next: ["set APP_URL to the public name of the app"] });
  }
  if (url.protocol !== "https:") {
    return result("links", "warn", "APP_URL is not https: links in mail (reset tokens included) travel in clear text", { evidence, next: ["use https for APP_URL"] });
  }
  return result("links", "pass", `${url.origin} is https, public and resolves`, { evidence });
}
