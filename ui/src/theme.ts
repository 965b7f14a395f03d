import { useEffect, useState } from "preact/hooks";

type Theme = "system" | "light" | "dark";
const KEY = "mailproof.theme";

function stored(): Theme {
  try {
    const value = window.localStorage.getItem(KEY);
    return value === "light" || value === "dark" ? value : "system";
  } catch {
    // Storage can be disabled (privacy settings); the system preference still applies.
    return "system";
  }
}

/** "system" follows prefers-color-scheme through CSS `color-scheme: light dark` and `light-dark()`. */
function apply(theme: Theme): void {
  if (theme === "system") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}

export function useTheme(): [Theme, () => void] {
  // Applied before the first render, so a dark-mode user never sees a white flash.
  const [theme, setTheme] = useState<Theme>(() => {
    const initial = stored();
    apply(initial);
    return initial;
  });
  useEffect(() => {
    apply(theme);
    try {
      if (theme === "system") window.localStorage.removeItem(KEY);
      else window.localStorage.setItem(KEY, theme);
    } catch {
      // Not persisted; the choice holds for this page.
    }
  }, [theme]);
  const prefersDark = () => window.matchMedia("(prefers-color-scheme: dark)").matches;
  const toggle = () =>
    setTheme((t) => ((t === "system" ? prefersDark() : t === "dark") ? "light" : "dark"));
  return [theme, toggle];
}
