const TERMS: Array<[string, string]> = [
  ["reset password", "words anywhere (subject, addresses, body); all must match"],
  ['"exact phrase"', "a phrase"],
  [
    "to:alice@example.com",
    "To, Bcc or envelope recipient (a full address is exact, else a substring)",
  ],
  ["reply-to:help@example.com", "also from:, cc: and bcc: for the other address fields"],
  ["addressed:alice", "any address field: From, To, Cc, Bcc, Reply-To, envelope"],
  ["subject:welcome", "a substring of the subject"],
  ["tag:signup  is:tagged", "a tag; any tag"],
  ["source:sendgrid", "where it came from (smtp, upload, a provider)"],
  ["mailbox:team-a", "a mailbox (with --mailbox-by)"],
  ["message-id:<id@host>", "the Message-ID header"],
  ["has:attachment  has:inline", "with attachments; with inline (cid:) parts"],
  ["has:link  has:code", "with links; with one-time codes (after analysis)"],
  ["link:reset", "a link of this kind: reset, verify, login, unsubscribe, other"],
  ["is:unread  is:read", "read state"],
  ["larger:100K  smaller:1M", "raw size, in bytes or with K/M"],
  ["dmarc:fail  dkim:pass  spf:softfail", "authentication results"],
  ["after:2026-01-31  before:2026-02-01", "received before / after an ISO date"],
  ["-from:noreply@example.com", "a leading - negates any term"],
];

export function SearchHelp({ onPick }: { onPick: (term: string) => void }) {
  return (
    <div class="search-help" role="dialog" aria-label="Search syntax">
      <p>
        Terms are ANDed and case-insensitive. An unknown <code>name:</code> is an error: quote it to
        search the text.
      </p>
      <table>
        <tbody>
          {TERMS.map(([term, meaning]) => (
            <tr key={term}>
              <td>
                <button
                  type="button"
                  class="link-button"
                  onClick={() => onPick(term.split("  ")[0])}
                >
                  <code>{term}</code>
                </button>
              </td>
              <td>{meaning}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
