import type { ComponentChildren } from "preact";
import { Icon } from "../components/icons.js";
import type { LiveState } from "../live.js";
import { href, onLinkClick, type Route } from "../router.js";
import { useTheme } from "../theme.js";

interface TopbarProps {
  route: Route;
  query: string;
  live: LiveState;
  onToggleKeys: () => void;
  /** The search and mailbox controls, between the brand and the navigation. */
  children: ComponentChildren;
}

const LIVE_TITLES: Record<LiveState, string> = {
  live: "Live: new mail appears by itself",
  connecting: "Connecting to the event stream…",
  offline: "Event stream offline",
};

export function Topbar({ route, query, live, onToggleKeys, children }: TopbarProps) {
  const navClass = (page: Route["page"]) => (route.page === page ? "active" : "");
  return (
    <header class="topbar">
      <a class="brand" href="/" onClick={onLinkClick} aria-label="mailproof">
        <img src="/favicon.svg" alt="" width={22} height={22} />
        <span class="brand-name">mailproof</span>
      </a>
      {children}
      <nav class="nav">
        <a
          href={href({ page: "inbox", id: null, tab: null }, query)}
          class={navClass("inbox")}
          onClick={onLinkClick}
        >
          Inbox
        </a>
        <a href="/faults" class={navClass("faults")} onClick={onLinkClick}>
          Faults
        </a>
        <a href="/providers" class={navClass("providers")} onClick={onLinkClick}>
          Providers
        </a>
      </nav>
      <span class={`live live-${live}`} title={LIVE_TITLES[live]} data-testid="live">
        {live}
      </span>
      <button
        type="button"
        class="btn btn-small btn-ghost keys-button"
        onClick={onToggleKeys}
        title="Keyboard shortcuts (?)"
      >
        Keys
      </button>
      <ThemeButton />
    </header>
  );
}

function ThemeButton() {
  const [theme, toggleTheme] = useTheme();
  const dark =
    theme === "dark" ||
    (theme === "system" && window.matchMedia("(prefers-color-scheme: dark)").matches);
  const label = dark ? "Light mode" : "Dark mode";
  return (
    <button
      type="button"
      class="btn btn-small btn-ghost theme-button"
      onClick={toggleTheme}
      title={label}
      aria-label={label}
    >
      <Icon name={dark ? "sun" : "moon"} />
    </button>
  );
}
