const TERMS: Array<[string, string]> = [
  ["reset password", "words anywhere (subject, addresses, body); all must match"],
  ['"exact phrase"', "a phrase"],
  ["to:alice@example.com", "header or envelope recipient (also from: cc: subject:)"],
  ["tag:signup  source:sendgrid", "tag, or where it came from (smtp, upload, a provider)"],
  ["message-id:<id@host>", "the Message-ID header"],
  ["has:attachment  is:unread", "with attachments; read or unread"],
  ["dmarc:fail  dkim:pass  spf:softfail", "authentication results"],
  ["after:2026-01-31  before:2026-02-01", "received before / after an ISO date"],
  ["-from:noreply@example.com", "a leading - negates any term"],
];

export function SearchHelp({ onPick }: { onPick(term: string): void }) {
  return (
    <div class="search-help" role="dialog" aria-label="Search syntax">
      <p>Terms are ANDed and case-insensitive.</p>
      <table>
        <tbody>
          {TERMS.map(([term, meaning]) => (
            <tr key={term}>
              <td>
                <button type="button" class="link-button" onClick={() => onPick(term.split("  ")[0]!)}>
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
