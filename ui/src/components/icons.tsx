/** A few inline SVG icons: no icon font, no emoji (a bare Chromium may have no emoji font). */
const paths = {
  clip: "M15.5 6.5 8.6 13.4a2 2 0 0 0 2.8 2.8l7.1-7.1a4 4 0 0 0-5.7-5.7L5.7 10.5a6 6 0 0 0 8.5 8.5l5.3-5.3",
  trash: "M4 7h16M9 7V4h6v3m-8 0 1 13h8l1-13",
  sun: "M12 4V2m0 20v-2m8-8h2M2 12h2m13.7-5.7 1.4-1.4M4.9 19.1l1.4-1.4m11.4 0 1.4 1.4M4.9 4.9l1.4 1.4M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8z",
  moon: "M20 14.5A8 8 0 0 1 9.5 4a8 8 0 1 0 10.5 10.5z",
  download: "M12 4v11m-5-5 5 5 5-5M5 20h14",
  back: "M15 5l-7 7 7 7",
  help: "M9.5 9a2.5 2.5 0 1 1 3.5 2.3c-.6.3-1 .9-1 1.6V14m0 3v.5",
};

export function Icon({ name, title }: { name: keyof typeof paths; title?: string }) {
  return (
    <svg
      class="icon"
      viewBox="0 0 24 24"
      aria-hidden={title ? undefined : "true"}
      role={title ? "img" : undefined}
    >
      {title ? <title>{title}</title> : null}
      <path
        d={paths[name]}
        fill="none"
        stroke="currentColor"
        stroke-width="2"
        stroke-linecap="round"
        stroke-linejoin="round"
      />
    </svg>
  );
}
