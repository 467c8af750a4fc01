/**
 * Removes credentials from free text — log lines, event messages, command text — before it is posted,
 * logged or audited. Redact whole texts before cutting them into lines or truncating them: a key block
 * spans lines, and a truncated secret is still a secret.
 */
const R = "[REDACTED]";

/** words that name a secret in `key=value`, `key: value`, `"key": "value"`; also inside longer names (DB_PASSWORD) */
const SECRET_WORDS =
  "passw(?:or)?d|passphrase|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|client[_-]?secret|credentials?|auth[_-]?key|session[_-]?key|signing[_-]?key|accountkey|sharedaccesskey";

/** a key that names a secret, with any prefix or suffix made of name characters */
// Every repetition is bounded: these run on text anyone who can write a log line controls, and an
// unbounded `[…]*` before a literal backtracks quadratically over a long run of name characters.
const KEY = `[A-Za-z0-9_.-]{0,40}(?:${SECRET_WORDS})[A-Za-z0-9_.-]{0,40}`;

const PATTERNS: [RegExp, string][] = [
  // PEM and PGP private key blocks, whole (also when the end was cut off)
  [/-----BEGIN ([A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?)-----[\s\S]*?(?:-----END \1-----|$)/g, "[REDACTED PRIVATE KEY]"],
  // Slack tokens (xoxb-, xoxp-, xoxe-, xoxe.xoxp-, xapp-), incoming webhooks and workflow triggers
  [/\bxox[a-z](?:\.xox[a-z])?-[A-Za-z0-9-]+/g, R],
  [/\bxapp-[A-Za-z0-9-]+/g, R],
  [/(hooks\.slack\.com\/(?:services|workflows|triggers)\/)[A-Za-z0-9/_-]+/g, `$1${R}`],
  // cloud and forge credentials
  [/\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[A-Z0-9]{16}\b/g, R],
  [/\bAIza[0-9A-Za-z_-]{35}\b/g, R],
  [/\b(?:github_pat_[A-Za-z0-9_]{20,}|gh[pousr]_[A-Za-z0-9]{20,}|glpat-[A-Za-z0-9_-]{20,})/g, R],
  [/\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}/g, R],
  [/\bsk-[A-Za-z0-9_-]{20,}/g, R],
  [/\bnpm_[A-Za-z0-9]{30,}/g, R],
  [/\beyJ[A-Za-z0-9_-]{5,4000}\.[A-Za-z0-9_-]{5,4000}\.[A-Za-z0-9_-]+/g, "[REDACTED JWT]"],
  // Authorization header values
  [/\b(Bearer|Basic|Token|Digest)\s{1,10}[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${R}`],
  // credentials in URLs: scheme://user:password@host, the user may be empty, the password may hold @ and /
  [/(\b[a-z][a-z0-9+.-]{0,30}:\/\/[^\s:/@]{0,100}:)\S{1,200}@(?=[^\s@/])/gi, `$1${R}@`],
  // key = "quoted value with spaces", key: 'value', "key": "value"
  [new RegExp(`(${KEY}["']?\\s{0,10}[:=]\\s{0,10})"(?:[^"\\\\\\n]|\\\\.)*"`, "gi"), `$1"${R}"`],
  [new RegExp(`(${KEY}["']?\\s{0,10}[:=]\\s{0,10})'[^'\\n]*'`, "gi"), `$1'${R}'`],
  // key=value, KEY: value (unquoted: up to a space or a separator)
  [new RegExp(`(${KEY}["']?\\s{0,10}[:=]\\s{0,10})(?!\\[REDACTED)[^\\s"',;}&]+`, "gi"), `$1${R}`],
];

/**
 * The body lines of a key whose BEGIN line is not in the text (a log's tail starts inside it). Only in
 * text of several lines: a single value of 64 hex digits (a hash, an id) is not a key's body.
 */
const KEY_BODY_LINE = /^[ \t]*[A-Za-z0-9+/]{40,}={0,2}[ \t]*$/gm;

export function redactSecrets(text: string): string {
  const out = PATTERNS.reduce((t, [re, replacement]) => t.replace(re, replacement), text);
  return out.includes("\n") ? out.replace(KEY_BODY_LINE, "[REDACTED BASE64]") : out;
}

/** Keys whose values are secrets whatever they hold (any case, any depth): for structured logs. */
export const SECRET_KEY = new RegExp(
  `^(?:${KEY}|authorization|proxy-authorization|cookie|set-cookie|x-slack-signature|databaseurl|database_url)$`,
  "i",
);
