import { useState } from "preact/hooks";
import { api } from "../api.js";
import { Badge } from "../components/badge.js";
import type { MessageSummary } from "../types.js";

/** Tags as badges; "Edit tags" turns them into one comma-separated field saved with PATCH { tags }. */
export function TagEditor({
  id,
  tags,
  onSaved,
}: {
  id: string;
  tags: string[];
  onSaved: (summary: MessageSummary) => void;
}) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);

  if (!editing) {
    return (
      <>
        {tags.map((t) => (
          <Badge key={t} tone="info">
            #{t}
          </Badge>
        ))}
        <button
          type="button"
          class="btn btn-small btn-ghost"
          onClick={() => {
            setText(tags.join(", "));
            setEditing(true);
          }}
        >
          {tags.length ? "Edit tags" : "Add tags"}
        </button>
      </>
    );
  }
  const save = (event: Event) => {
    event.preventDefault();
    const next = text
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean);
    api.update(id, { tags: next }).then(
      (summary) => {
        onSaved(summary);
        setEditing(false);
        setError(null);
      },
      (err: Error) => setError(err.message),
    );
  };
  return (
    <form class="tag-form" onSubmit={save}>
      <input
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
        placeholder="signup, vip"
        aria-label="Tags, comma-separated"
        autoFocus
      />
      <button type="submit" class="btn btn-small">
        Save
      </button>
      <button type="button" class="btn btn-small btn-ghost" onClick={() => setEditing(false)}>
        Cancel
      </button>
      {error ? <span class="notice notice-bad">{error}</span> : null}
    </form>
  );
}
