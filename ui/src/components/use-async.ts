import { useEffect, useState } from "preact/hooks";

type AsyncState<T> =
  { status: "loading" } | { status: "done"; value: T } | { status: "error"; error: Error };

/** Loads `load()` whenever `key` changes and ignores answers that arrive after a newer key. */
export function useAsync<T>(load: () => Promise<T>, key: unknown[]): [AsyncState<T>, () => void] {
  const [state, setState] = useState<AsyncState<T>>({ status: "loading" });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let current = true;
    setState({ status: "loading" });
    load().then(
      (value) => current && setState({ status: "done", value }),
      (error: unknown) =>
        current &&
        setState({
          status: "error",
          error: error instanceof Error ? error : new Error(String(error)),
        }),
    );
    return () => {
      current = false;
    };
  }, [...key, tick]);
  return [state, () => setTick((t) => t + 1)];
}
