/**
 * Redaction of exported documents: a function applied to every string value (never to keys,
 * never to the log itself). `redactSecrets` is the built-in one: it knows the shapes of the
 * credentials that most often leak into agent transcripts through pasted config and tool output.
 */

export type Redactor = (text: string) => string

export const REDACTED = '[REDACTED]'

/**
 * Order matters: whole private-key blocks and whole header values go first, so a token inside
 * them is not half-replaced by a narrower rule. Each rule keeps the label that precedes a secret
 * (`Authorization: `, `Bearer `) so the reader still sees what was removed.
 */
const RULES: ReadonlyArray<readonly [RegExp, string]> = [
  // PEM private keys (RSA, EC, OPENSSH, ENCRYPTED...), to the END line or, if cut off, to the end of the text.
  [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g, REDACTED],
  // `Authorization: <anything>` in HTTP dumps, and "authorization": "..." in JSON tool output.
  [/(\bauthorization["']?\s*[:=]\s*["']?)[^"'\r\n]+/gi, `$1${REDACTED}`],
  [/(\bbearer\s+)[A-Za-z0-9\-._~+/]{8,}=*/gi, `$1${REDACTED}`],
  // JSON Web Tokens: three base64url segments, the first two being JSON objects ("eyJ").
  [/\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, REDACTED],
  // OpenAI / Anthropic style keys: sk-..., sk-proj-..., sk-ant-...
  [/\bsk-[A-Za-z0-9_-]{16,}/g, REDACTED],
  // GitHub tokens: classic (ghp_, gho_, ghu_, ghs_, ghr_) and fine-grained.
  [/\bgh[pousr]_[A-Za-z0-9]{30,}/g, REDACTED],
  [/\bgithub_pat_[A-Za-z0-9_]{22,}/g, REDACTED],
  // AWS access key ids (long-term AKIA, temporary ASIA) and the secret that goes with them.
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, REDACTED],
  [/(\baws_secret_access_key\s*[=:]\s*["']?)[A-Za-z0-9/+]{40}/gi, `$1${REDACTED}`],
  // Slack and Google API keys.
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}/g, REDACTED],
  [/\bAIza[0-9A-Za-z_-]{35}/g, REDACTED],
]

/** The built-in secret redactor: every match of a known credential shape becomes `[REDACTED]`. */
export function redactSecrets(text: string): string {
  let out = text
  for (const [pattern, replacement] of RULES) {
    // Cheap pre-test keeps the common case (no secret at all) from allocating.
    pattern.lastIndex = 0
    if (pattern.test(out)) {
      pattern.lastIndex = 0
      out = out.replace(pattern, replacement)
    }
  }
  return out
}

/** `true` -> the built-in redactor, a function -> itself, anything else -> none. */
export function toRedactor(option: boolean | Redactor | undefined): Redactor | undefined {
  if (option === true) return redactSecrets
  if (typeof option === 'function') return option
  return undefined
}

/** A copy of `value` with `redact` applied to every string value; keys and key order are kept. */
export function redactValue<T>(value: T, redact: Redactor): T {
  if (typeof value === 'string') return redact(value) as T
  if (Array.isArray(value)) return value.map(v => redactValue(v, redact)) as T
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [key, v] of Object.entries(value)) out[key] = redactValue(v, redact)
    return out as T
  }
  return value
}
