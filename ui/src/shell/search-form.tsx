import type { RefObject } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Icon } from "../components/icons.js";
import { SearchHelp } from "../inbox/search-help.js";
import { href, navigate, type Route } from "../router.js";

const SEARCH_DEBOUNCE_MS = 250;

interface SearchFormProps {
  route: Route;
  query: string;
  inputRef: RefObject<HTMLInputElement | null>;
  helpOpen: boolean;
  onToggleHelp: () => void;
  onCloseHelp: () => void;
  /** A new query is about to apply: what was selected under the old one no longer holds. */
  onSearch: () => void;
}

/** The header's search box: what is typed becomes the URL's `?q=` once typing pauses. */
export function SearchForm(props: SearchFormProps) {
  const { route, query, inputRef } = props;
  const [search, setSearch] = useState(query);

  // The URL is the truth for the query; the box follows it on back/forward.
  useEffect(() => setSearch(query), [query]);
  useEffect(() => {
    if (search === query) return;
    const timer = setTimeout(() => {
      props.onSearch();
      navigate(
        href(route.page === "inbox" ? { page: "inbox", id: null, tab: null } : route, search),
        true,
      );
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [search]);

  return (
    <form class="search" role="search" onSubmit={(e) => e.preventDefault()}>
      <input
        ref={inputRef}
        type="search"
        placeholder="Search, e.g. to:alice@example.com has:attachment dmarc:fail  (press /)"
        aria-label="Search messages"
        value={search}
        onInput={(e) => setSearch(e.currentTarget.value)}
      />
      <button
        type="button"
        class="btn btn-small btn-ghost"
        title="Search syntax"
        aria-expanded={props.helpOpen}
        onClick={props.onToggleHelp}
      >
        <Icon name="help" />
      </button>
      {props.helpOpen ? (
        <SearchHelp
          onPick={(term) => {
            setSearch((s) => (s.trim() ? `${s.trim()} ${term}` : term));
            props.onCloseHelp();
            inputRef.current?.focus();
          }}
        />
      ) : null}
    </form>
  );
}
