import type { ComponentChildren } from "preact";

type Tone = "good" | "bad" | "warn" | "neutral" | "info";

/** RFC 8601 words and check statuses, as colours. */
export function toneOf(word: string | null | undefined): Tone {
  switch (word) {
    case "pass":
    case "accept":
      return "good";
    case "fail":
    case "permerror":
    case "reject":
    case "error":
      return "bad";
    case "softfail":
    case "temperror":
    case "warn":
    case "warning":
    case "spam-risk":
      return "warn";
    case "info":
      return "info";
    default:
      return "neutral";
  }
}

export function Badge({
  tone = "neutral",
  title,
  children,
}: {
  tone?: Tone;
  title?: string;
  children: ComponentChildren;
}) {
  return (
    <span class={`badge badge-${tone}`} title={title}>
      {children}
    </span>
  );
}
