import { useState } from "preact/hooks";

export function CopyButton({ text, label = "Copy" }: { text: string; label?: string }) {
  const [done, setDone] = useState<"" | "copied" | "failed">("");
  const copy = () => {
    navigator.clipboard
      .writeText(text)
      .then(() => setDone("copied"))
      .catch(() => setDone("failed"))
      .finally(() => setTimeout(() => setDone(""), 1500));
  };
  return (
    <button type="button" class="btn btn-small" onClick={copy} title={text}>
      {done === "copied" ? "Copied" : done === "failed" ? "Copy failed" : label}
    </button>
  );
}
