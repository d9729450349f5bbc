/**
 * Redaction of exported documents: a function applied to every string value (never to keys,
 * never to the log itself). `redactSecrets` is the built-in one: it knows the shapes of the
 * credentials that most often leak into agent transcripts through pasted config and tool output.
 */

export type Redactor = (text: string) => string

export const REDACTED = '[REDACTED]'

/**
 * Runs of [A-Za-z0-9_.-] that hold "eyJ": a JWT lies inside one. The lookbehind lets a match
 * start only where a run starts, so each run is scanned once (see redactJwtRun).
 */
const JWT_RUN = /(?<![A-Za-z0-9_.-])[A-Za-z0-9_.-]*eyJ[A-Za-z0-9_.-]*/g

/**
 * Order matters: whole private-key blocks and whole header values go first, so a token inside
 * them is not half-replaced by a narrower rule. Each rule keeps the label that precedes a secret
 * (`Authorization: `, `Bearer `) so the reader still sees what was removed.
 *
 * Every rule runs in linear time: no quantified run is followed by something that can fail
 * after it while a later start position would scan the same run again (JWTs, where that
 * happens, are matched by hand below). Minimum lengths are written `{n}` then `*`: V8 runs
 * `{n,}` on its backtracking stack, which overflows on a run of a few million characters.
 */
const RULES: ReadonlyArray<readonly [RegExp, string | ((text: string) => string)]> = [
  // PEM private keys (RSA, EC, OPENSSH, ENCRYPTED...), to the END line or, if cut off, to the end of the text.
  [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g, REDACTED],
  // `Authorization: <anything>` in HTTP dumps, and "authorization": "..." in JSON tool output.
  [/(\bauthorization["']?\s*[:=]\s*["']?)[^"'\r\n]+/gi, `$1${REDACTED}`],
  [/(\bbearer\s+)[A-Za-z0-9\-._~+/]{8}[A-Za-z0-9\-._~+/]*=*/gi, `$1${REDACTED}`],
  // JSON Web Tokens: three base64url segments, the first two being JSON objects ("eyJ").
  [JWT_RUN, redactJwtRun],
  // OpenAI / Anthropic style keys: sk-..., sk-proj-..., sk-ant-...
  [/\bsk-[A-Za-z0-9_-]{16}[A-Za-z0-9_-]*/g, REDACTED],
  // GitHub tokens: classic (ghp_, gho_, ghu_, ghs_, ghr_) and fine-grained.
  [/\bgh[pousr]_[A-Za-z0-9]{30}[A-Za-z0-9]*/g, REDACTED],
  [/\bgithub_pat_[A-Za-z0-9_]{22}[A-Za-z0-9_]*/g, REDACTED],
  // AWS access key ids (long-term AKIA, temporary ASIA) and the secret that goes with them.
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, REDACTED],
  [/(\baws_secret_access_key\s*[=:]\s*["']?)[A-Za-z0-9/+]{40}/gi, `$1${REDACTED}`],
  // Slack and Google API keys.
  [/\bxox[abprs]-[A-Za-z0-9-]{10}[A-Za-z0-9-]*/g, REDACTED],
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
      // Two calls only because TypeScript picks replace()'s overload by the argument's type.
      out = typeof replacement === 'string' ? out.replace(pattern, replacement) : out.replace(pattern, replacement)
    }
  }
  return out
}

/**
 * The JWTs of one run, exactly where `\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`
 * would find them, in linear time: that regex, on `-eyJ-eyJ-eyJ…`, scans the rest of the run
 * again from every "eyJ" (7.6 s for 128 KiB). Cut at the dots, a token starts in a piece at
 * its first "eyJ" on a word boundary (the piece's start, or after a "-"): a later one could
 * only be shorter. From there it fills the piece (7 characters at least), the next piece is
 * "eyJ" and 4 more, and the signature is the whole piece after that (perhaps empty).
 * Plain charCodeAt loops: with startsWith(s, position) and indexOf('-eyJ') instead, Node 20's
 * optimized code took 0.4 s on 512 KiB of "eyJ." (1 ms unoptimized); the loops stay linear.
 */
function redactJwtRun(run: string): string {
  let out = ''
  let copied = 0
  for (let at = 0; at < run.length;) {
    // One pass over the piece finds its end (the next dot) and where a token could start.
    let start = -1
    let end = at
    for (; end < run.length && run.charCodeAt(end) !== DOT; end++) {
      if (start === -1 && eyJAt(run, end) && (end === at || run.charCodeAt(end - 1) === DASH)) start = end
    }
    if (start !== -1 && end - start >= 7 && eyJAt(run, end + 1)) {
      const payloadEnd = dotOrEnd(run, end + 1)
      if (payloadEnd - end - 1 >= 7 && payloadEnd < run.length) {
        const signatureEnd = dotOrEnd(run, payloadEnd + 1)
        out += run.slice(copied, start) + REDACTED
        copied = signatureEnd
        at = signatureEnd + 1
        continue
      }
    }
    at = end + 1
  }
  return out === '' ? run : out + run.slice(copied)
}

const DOT = 46
const DASH = 45

function eyJAt(text: string, i: number): boolean {
  return text.charCodeAt(i) === 101 && text.charCodeAt(i + 1) === 121 && text.charCodeAt(i + 2) === 74
}

function dotOrEnd(text: string, from: number): number {
  let i = from
  while (i < text.length && text.charCodeAt(i) !== DOT) i++
  return i
}

/** `true` -> the built-in redactor, a function -> itself, anything else -> none. */
export function toRedactor(option: boolean | Redactor | undefined): Redactor | undefined {
  if (option === true) return redactSecrets
  if (typeof option === 'function') return option
  return undefined
}

/**
 * A copy of `value` with `redact` applied to every string value: keys, their order and the
 * shape are kept, so JSON.stringify of the copy equals the input's but for redacted strings.
 * Every key becomes an own data property, `__proto__` too (assigning that one would set the
 * copy's prototype to content-chosen data and drop the key). A loop: any depth is safe.
 */
export function redactValue<T>(value: T, redact: Redactor): T {
  const pending: Array<[object, unknown[] | Record<string, unknown>]> = []
  const copy = (v: unknown): unknown => {
    if (typeof v === 'string') return redact(v)
    if (typeof v !== 'object' || v === null) return v
    const shell = Array.isArray(v) ? [] : {}
    pending.push([v, shell])
    return shell
  }
  const root = copy(value)
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [from, to] = next
    if (Array.isArray(to)) {
      for (const v of from as unknown[]) to.push(copy(v))
      continue
    }
    for (const [key, v] of Object.entries(from)) {
      if (key === '__proto__') Object.defineProperty(to, key, { value: copy(v), writable: true, enumerable: true, configurable: true })
      else to[key] = copy(v)
    }
  }
  return root as T
}
