import { useEffect, useRef } from "preact/hooks";

type Keys = Record<string, (event: KeyboardEvent) => void>;

/** Single-key shortcuts (Gmail-style), ignored while typing in a field or with a modifier held. */
export function useKeys(keys: Keys): void {
  const ref = useRef(keys);
  ref.current = keys;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
      const target = event.target as HTMLElement | null;
      const typing =
        target?.closest("input, textarea, select, [contenteditable]") &&
        !(target instanceof HTMLInputElement && target.type === "checkbox");
      if (typing && event.key !== "Escape") return;
      const handler = ref.current[event.key];
      if (!handler) return;
      event.preventDefault();
      handler(event);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
}
