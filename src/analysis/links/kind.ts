import type { LinkKind } from "../../core/types.js";

/**
 * What a link is for, from its path, query keys (and short word-like values) and anchor text.
 * Words cover English plus the common forms in German, French, Spanish, Portuguese, Italian and
 * Dutch. Order matters: "unsubscribe" beats everything (an unsubscribe link may carry a
 * "confirm" step), then reset (a reset link often says "verify" too), verify, login.
 */
const PATTERNS: Array<[LinkKind, RegExp]> = [
  [
    "unsubscribe",
    /un-?subscribe|unsub\b|opt-?out|abmelden|abbestellen|d[ée]sinscri|d[ée]sabonn|darse-?de-?baja|\bbaja\b|cancelar-?(la-?)?suscripci|disiscriv|annulla-?iscrizione|afmelden|uitschrijven|descadastr|cancelar-?inscri|email-?preferences|manage-?subscriptions?/,
  ],
  [
    "reset",
    /reset|forgot|recover|password|passwort|kennwort|mot-?de-?passe|r[ée]initialis|contrase[ñn]a|restablecer|restaurar|zur[üu]cksetzen|zuruecksetzen|wachtwoord|herstel|senha|redefinir|recupera/,
  ],
  [
    "verify",
    /v[ée]rif|confirm|activat|activer|aktivier|validat|valider|best[äa]tig|bestaetig|bevestig|ativar|attiva|e-?mail-?change|welcome-?confirm/,
  ],
  [
    "login",
    /magic|\blog-?in\b|\bsign-?in\b|passwordless|one-?time-?login|auth\/callback|callback\/email|anmelden|einloggen|connexion|se-?connecter|iniciar-?sesi[óo]n|acced|inloggen|entrar/,
  ],
];

/** Lower-cased words of a URL that say what it does: path segments, query keys, short query values. */
function urlWords(url: URL): string {
  const parts = url.pathname.split("/").map(safeDecode);
  for (const [key, value] of url.searchParams) {
    parts.push(key);
    // Short word-like values (?action=reset) describe the link; long ones are tokens and may contain anything.
    if (value.length <= 24 && /^[a-z_-]+$/i.test(value)) parts.push(value);
  }
  if (url.hash.length <= 40) parts.push(safeDecode(url.hash.slice(1)));
  return parts
    .join("/")
    .toLowerCase()
    .replace(/[_\s]+/g, "-");
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export function classifyLink(
  url: URL | null,
  anchorText: string | null,
  fromListUnsubscribe = false,
): LinkKind {
  if (fromListUnsubscribe) return "unsubscribe";
  const words = url ? urlWords(url) : "";
  const text = (anchorText ?? "").toLowerCase().replace(/[_\s]+/g, "-");
  for (const [kind, pattern] of PATTERNS) {
    if (pattern.test(words) || pattern.test(text)) return kind;
  }
  return "other";
}
