import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";

/** `api.ts` dispatches this on a 401: the session cookie ran out, so the token is asked for again. */
export const UNAUTHORIZED_EVENT = "mailproof:unauthorized";

type GateState = "checking" | "open" | "login";

/**
 * With `--api-token` the server hands this page out without a token (it holds no mail) and the
 * API wants one. The token comes once, from a `#token=…` link or the form below, and is traded at
 * POST /api/auth for an HttpOnly session cookie: EventSource, <img> and download links then work
 * as they do without auth, and the token itself is neither kept by the page nor left in the URL.
 * `--ui-auth` needs none of this: the browser's own Basic dialog has run before the page loaded.
 */
export function AuthGate({ children }: { children: ComponentChildren }) {
  const [state, setState] = useState<GateState>("checking");
  const [refused, setRefused] = useState(false);
  const [token, setToken] = useState("");

  useEffect(() => {
    start().then(setState, () => setState("open"));
    const ask = () => void start().then(setState, () => setState("open"));
    window.addEventListener(UNAUTHORIZED_EVENT, ask);
    return () => window.removeEventListener(UNAUTHORIZED_EVENT, ask);
  }, []);

  if (state === "checking") return null;
  if (state === "open") return <>{children}</>;

  const submit = async (event: Event) => {
    event.preventDefault();
    const ok = await login(token.trim());
    setRefused(!ok);
    if (ok) setState("open");
  };
  return (
    <main class="message-empty">
      <form class="card" onSubmit={(event) => void submit(event)} aria-label="Sign in">
        <h1>mailproof</h1>
        <p class="muted">This sandbox runs with --api-token. Enter the token to see its mail.</p>
        <p>
          <label>
            API token{" "}
            <input
              type="password"
              name="token"
              autocomplete="off"
              required
              value={token}
              onInput={(e) => setToken(e.currentTarget.value)}
              autofocus
            />
          </label>{" "}
          <button class="btn" type="submit">
            Sign in
          </button>
        </p>
        {refused ? (
          <p class="notice notice-bad" role="alert">
            The server did not accept this token.
          </p>
        ) : null}
      </form>
    </main>
  );
}

async function login(token: string): Promise<boolean> {
  if (!token) return false;
  const response = await fetch("/api/auth", {
    method: "POST",
    headers: { Authorization: `Bearer ${token}` },
  });
  return response.status === 204;
}

/** A `#token=` link signs in and is wiped from the address bar and history at once. */
async function start(): Promise<GateState> {
  const fromLink = new URLSearchParams(location.hash.slice(1)).get("token");
  if (fromLink !== null) {
    history.replaceState(history.state, "", location.pathname + location.search);
    await login(fromLink);
  }
  const response = await fetch("/api/auth");
  // A server without access control (or an older one) has nothing to sign in to.
  if (!response.ok) return "open";
  const status = (await response.json()) as {
    required: boolean;
    authenticated: boolean;
    methods: string[];
  };
  // Basic-only servers: the browser asks for the credentials itself, there is no token to enter.
  return !status.required || status.authenticated || !status.methods.includes("token")
    ? "open"
    : "login";
}
