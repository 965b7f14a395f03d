/**
 * One-time codes (OTPs, verification and login codes) in a piece of text. A number only counts
 * as a code when a code word stands near it ("code", "OTP", "PIN", "verification" … in a few
 * languages) and no closer word says it is something else (order, invoice, phone, price, year).
 */

export interface CodeCandidate {
  code: string;
  score: number;
  /** Position in the scanned text, for stable ordering. */
  index: number;
}

// Unicode-aware boundaries: \b treats "é" as a non-word character.
const CODE_WORDS =
  /(?:^|[^\p{L}])(codes?|otp|passcode|pin|one[- ]time|2fa|two[- ]factor|verification|verify|token|c[óo]digo|code de|codice|bestätigungscode|sicherheitscode|verifizierungscode|einmalcode|zugangscode|anmeldecode|kode|verificatiecode|inlogcode|验证码|認証コード|код)(?=$|[^\p{L}])/giu;

const NOT_CODE_WORDS =
  /(?:^|[^\p{L}])((?:zip|postal|post|area|promo|promotion|discount|coupon|voucher|gift|referral|tracking|product|country|tax|sort|swift|bank|color|colour)[ -]?codes?|codes? postal|c[óo]digo postal|postleitzahl|gutscheincode|rabattcode|order|orders|invoice|receipt|ticket|case|tracking|shipment|account|acct|customer|member|reference|ref|no\.?|nr\.?|number|nummer|num[ée]ro|n[úu]mero|bestellung|rechnung|commande|facture|pedido|factura|ordine|fattura|booking|reservation|flight|zip|postal|postcode|plz|suite|street|st\.|ave|avenue|road|rue|strasse|straße|calle|via|phone|tel|telephone|call|fax|mobile|sms to|whatsapp|total|amount|price|subtotal|balance|betrag|montant|importe|year|id)(?=$|[^\p{L}])/giu;

/**
 * "Use 739201 to sign in": no code word, but an instruction to type the number for a sign-in
 * step. Both halves are required; "Enter 94103 to find stores" or "Pay 4999 to complete" is not.
 */
const TYPE_VERB_BEFORE = /(?:^|[^\p{L}])(use|enter|type|input|paste)\s*$/iu;
const SIGN_IN_AFTER =
  /^\s+(to|for)\s+(sign(ing)?[ -]?in|log(ging)?[ -]?in|verify|confirm|authenticate|continue signing|complete (your )?(sign[ -]?in|login|log[ -]?in|verification|registration|sign[ -]?up)|reset your password|activate)\b/i;

const MAX_CANDIDATES = 2000;

const CURRENCY = /[$€£¥₹]|\b(usd|eur|gbp|chf|jpy)\b/i;

interface Pattern {
  regex: RegExp;
  /** The code as a user types it. */
  normalize(match: RegExpExecArray): string;
  /** Alphanumeric codes collide with product names and SKUs: require a code word right before. */
  strict?: boolean;
}

const PATTERNS: Pattern[] = [
  // Google style "G-123456": the letter prefix is display only.
  { regex: /(?<![\w-])[A-Z]-(\d{4,8})(?![\w-])/g, normalize: (m) => m[1] },
  // Grouped digits "123 456" / "123-456" / "1234 5678".
  // A full stop or comma after it ends the sentence; followed by a digit it is a decimal ("123 456.78").
  {
    regex: /(?<![\w$€£¥.,:/#+()-]|\d[ -])(\d{3,4})[ -](\d{3,4})(?![\w:/()-]|[.,]\d|[ -]\d)/g,
    normalize: (m) => m[1] + m[2],
  },
  // One digit per box: "5 1 8 0 2 7" (a table cell per digit, flattened to text).
  {
    regex: /(?<![\w.,:/-])(\d(?: \d){3,7})(?![\w.,:/-]|\s\d)/g,
    normalize: (m) => m[1].replaceAll(" ", ""),
  },
  // Plain digits, not one group of a longer number ("+44 20 7946 0958", a table of figures).
  {
    regex: /(?<![\w$€£¥#+.,:/-]|\d[ -])\d{4,8}(?![\w%€$£]|[.,:/-]\d|[ -]\d)/g,
    normalize: (m) => m[0],
  },
  // Alphanumeric "X7K9QP" / "4TR-X9Q": uppercase letters and digits, at least one of each.
  {
    regex:
      /(?<![\w-])(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9]{3,5}(?:-[A-Z0-9]{3,5})?(?![\w-])/g,
    normalize: (m) => m[0],
    strict: true,
  },
];

/** The last match of a global regex in `text`, as the index just past it, or -1. */
function lastWordEnd(regex: RegExp, text: string): number {
  let end = -1;
  for (const match of text.matchAll(regex)) end = (match.index ?? 0) + match[0].length;
  return end;
}

function scoreCandidate(
  text: string,
  start: number,
  end: number,
  code: string,
  subjectHasCodeWord: boolean,
  strict: boolean,
): number {
  // The candidate's line, looked for within a bounded window: a longer line is no display line anyway.
  const head = text.slice(Math.max(0, start - 120), start);
  const tail = text.slice(end, end + 120);
  const line = (
    head.slice(head.lastIndexOf("\n") + 1) +
    text.slice(start, end) +
    tail.split("\n")[0]
  ).trim();
  // A code shown on a line of its own ("display" style) is introduced by the paragraph above;
  // a number inside a sentence only by words of its own paragraph.
  const alone = line.length <= end - start + 4;
  const window = text.slice(Math.max(0, start - 80), start);
  const before = alone ? window : window.slice(window.search(/\n\s*\n(?![\s\S]*\n\s*\n)/) + 1);
  const after = text.slice(end, end + 40).split(/\n\s*\n/)[0];
  if (/©|\(c\)\s*\d{4}|copyright/i.test(line)) return 0;
  const near = before.slice(-25);
  if (CURRENCY.test(near.slice(-3)) || CURRENCY.test(after.slice(0, 4))) return 0;
  if (/(©|\(c\)|copyright)\s*$/i.test(before) || /[+(]\d[\d\s()-]*$|\)\s*$/.test(before)) return 0;
  // A "%" or unit right after: a discount, a quantity.
  if (/^\s*(%|percent|x\b|pcs|items?|kg|km|mi)/i.test(after)) return 0;

  const codeEnd = lastWordEnd(CODE_WORDS, before);
  const notCodeEnd = lastWordEnd(NOT_CODE_WORDS, before);
  const codeAfter = CODE_WORDS.test(after);
  CODE_WORDS.lastIndex = 0;
  // The word closest before the number decides what it is.
  // ">=": "zip code" ends where its "code" does and wins.
  if (notCodeEnd >= 0 && notCodeEnd >= codeEnd) return 0;
  const isYear = /^(19|20)\d\d$/.test(code);

  let score = 0;
  if (codeEnd >= 0) {
    score += 3;
    // "code: 123456", "code is 123456", "Code\n123456"
    if (/^\s*(is|ist|est|es|è|:|is:|：)?\s*[:\-–]?\s*$/i.test(before.slice(codeEnd))) score += 2;
  } else if (TYPE_VERB_BEFORE.test(before) && SIGN_IN_AFTER.test(after)) {
    score += 5;
  } else if (codeAfter) {
    // "123456 is your verification code"
    score += /^\s*(is|est|ist|es)\b/i.test(after) ? 3 : 2;
  }
  if (strict && score < 5 && !(alone && score >= 3)) return 0;
  if (isYear && score < 5) return 0;
  if (alone) score += 1;
  if (alone && subjectHasCodeWord && score < 3) score += 2;
  return score >= 3 ? score : 0;
}

/** A word that may introduce a code without a code word ("Use 739201 to sign in"). */
const TYPE_VERB = /(?:^|[^\p{L}])(use|enter|type|input|paste)(?=$|[^\p{L}])/iu;
const LINK = /\b(?:https?:\/\/|www\.)\S+/gi;
const LINK_OR_ADDRESS = /\b(?:https?:\/\/|www\.)\S+|[^\s@]{1,64}@[^\s@]+/gi;

/** Code candidates in `text`, with a score (higher is likelier a code); URLs and e-mail addresses are skipped. */
export function findCodes(input: string, subjectHasCodeWord: boolean): CodeCandidate[] {
  // Every score of 3 or more needs a code word in the text, a typing verb, or one in the
  // subject (see scoreCandidate): a text with none of them holds no code, and most mail is
  // such text. Scanning it with every pattern cost more than the rest of its analysis.
  if (!subjectHasCodeWord && !hasCodeWord(input) && !TYPE_VERB.test(input)) return [];
  // Tokens inside links and digits in addresses are never what the user types. The address
  // alternative tries up to 64 characters at every position: without an "@" it cannot match.
  const text = input.replace(input.includes("@") ? LINK_OR_ADDRESS : LINK, (m) =>
    " ".repeat(m.length),
  );
  const found: CodeCandidate[] = [];
  // Characters already claimed by an earlier (more specific) pattern.
  const taken = new Uint8Array(text.length);
  for (const pattern of PATTERNS) {
    let seen = 0;
    for (const match of text.matchAll(pattern.regex)) {
      // A text with thousands of number-like tokens is a table or a data dump, not an OTP mail.
      if (++seen > MAX_CANDIDATES) break;
      const start = match.index ?? 0;
      const end = start + match[0].length;
      if (taken.subarray(start, end).includes(1)) continue;
      taken.fill(1, start, end);
      const code = pattern.normalize(match);
      const score = scoreCandidate(
        text,
        start,
        end,
        code,
        subjectHasCodeWord,
        pattern.strict ?? false,
      );
      if (score > 0) found.push({ code, score, index: start });
    }
  }
  return found;
}

export function hasCodeWord(text: string): boolean {
  const result = CODE_WORDS.test(text);
  CODE_WORDS.lastIndex = 0;
  return result;
}
