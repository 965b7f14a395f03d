import { useMemo, useState } from "preact/hooks";
import type { Message } from "../types.js";
import { buildPreview } from "./preview-doc.js";

const WIDTHS = { mobile: 375, tablet: 768, desktop: null } as const;
type Width = keyof typeof WIDTHS;

/**
 * The HTML body in a sandboxed frame. No allow-scripts, allow-forms, allow-same-origin or
 * allow-top-navigation: nothing in a captured message can run, submit or navigate the UI.
 * allow-popups (with escape) lets a developer open a link (a reset link, say) in a new tab.
 */
const PREVIEW_SANDBOX = "allow-popups allow-popups-to-escape-sandbox";

export function HtmlPreview({ message }: { message: Message }) {
  const [remote, setRemote] = useState(false);
  const [width, setWidth] = useState<Width>("desktop");
  const doc = useMemo(
    () =>
      buildPreview({
        html: message.html ?? "",
        messageId: message.id,
        attachments: message.attachments,
        origin: window.location.origin,
        remoteImages: remote,
      }),
    [message.id, message.html, remote],
  );
  const px = WIDTHS[width];
  return (
    <div class="preview">
      <div class="preview-bar">
        <div class="segmented" role="group" aria-label="Preview width">
          {(Object.keys(WIDTHS) as Width[]).map((w) => (
            <button
              key={w}
              type="button"
              class={w === width ? "active" : ""}
              aria-pressed={w === width}
              onClick={() => setWidth(w)}
            >
              {w}
              {WIDTHS[w] ? ` ${WIDTHS[w]}px` : ""}
            </button>
          ))}
        </div>
        <span class="spacer" />
        {doc.remoteCount > 0 || remote ? (
          <label
            class="toggle"
            title="Remote images can tell a sender you opened the mail; they are off by default"
          >
            <input
              type="checkbox"
              checked={remote}
              onChange={(e) => setRemote(e.currentTarget.checked)}
              data-testid="remote-images"
            />
            {remote ? "Remote images on" : `Load remote images (${doc.remoteCount} blocked)`}
          </label>
        ) : (
          <span class="muted">No remote images</span>
        )}
      </div>
      <div class="preview-stage">
        <iframe
          key={`${message.id}:${remote}`}
          class="preview-frame"
          title="HTML preview"
          sandbox={PREVIEW_SANDBOX}
          referrerpolicy="no-referrer"
          srcdoc={doc.srcdoc}
          style={px ? { width: `${px}px` } : { width: "100%" }}
        />
      </div>
    </div>
  );
}
