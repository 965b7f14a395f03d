/** A wildcard bind address is not one to connect to: its loopback counterpart reaches the listener. */
export function connectableHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  return host === "::" ? "::1" : host;
}
