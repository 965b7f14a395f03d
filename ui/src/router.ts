import { useEffect, useState } from "preact/hooks";

/**
 * History routing: /, /messages/:id[/:tab], /faults, /providers[/:name]; the search query lives in
 * `?q=`. The server answers every such path with index.html (src/api/ui.ts), so each is a deep link.
 */
export type Route =
  | { page: "inbox"; id: string | null; tab: string | null }
  | { page: "faults" }
  | { page: "providers"; name: string | null };

interface Location {
  route: Route;
  query: string;
}

function parseLocation(pathname: string, search: string): Location {
  const query = new URLSearchParams(search).get("q") ?? "";
  const parts = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts[0] === "faults") return { route: { page: "faults" }, query };
  if (parts[0] === "providers")
    return { route: { page: "providers", name: parts[1] ?? null }, query };
  if (parts[0] === "messages" && parts[1])
    return { route: { page: "inbox", id: parts[1], tab: parts[2] ?? null }, query };
  return { route: { page: "inbox", id: null, tab: null }, query };
}

export function href(route: Route, query = ""): string {
  let path = "/";
  if (route.page === "faults") path = "/faults";
  else if (route.page === "providers")
    path = route.name ? `/providers/${encodeURIComponent(route.name)}` : "/providers";
  else if (route.id)
    path = `/messages/${encodeURIComponent(route.id)}${route.tab ? `/${encodeURIComponent(route.tab)}` : ""}`;
  return query.trim() ? `${path}?q=${encodeURIComponent(query)}` : path;
}

const current = (): Location => parseLocation(window.location.pathname, window.location.search);

/** Changes the URL without a reload; `replace` for changes that should not pile up in history (typing a query). */
export function navigate(to: string, replace = false): void {
  if (to === window.location.pathname + window.location.search) return;
  if (replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  window.dispatchEvent(new PopStateEvent("popstate"));
}

export function useLocation(): Location {
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const update = () => setLocation(current());
    window.addEventListener("popstate", update);
    return () => window.removeEventListener("popstate", update);
  }, []);
  return location;
}

function follow(event: MouseEvent, replace: boolean): void {
  if (
    event.defaultPrevented ||
    event.button !== 0 ||
    event.metaKey ||
    event.ctrlKey ||
    event.shiftKey ||
    event.altKey
  )
    return;
  const anchor = event.currentTarget as HTMLAnchorElement | null;
  if (!anchor) return;
  event.preventDefault();
  navigate(anchor.getAttribute("href") ?? "/", replace);
}

/** For `<a href>` inside the app: a plain left click navigates in place, modified clicks open a tab as usual. */
export const onLinkClick = (event: MouseEvent) => follow(event, false);
/** The same for tabs within a page: switching tabs replaces the history entry instead of piling up. */
export const onTabClick = (event: MouseEvent) => follow(event, true);
