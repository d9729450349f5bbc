/**
 * The built-in redactor on adversarial text: every rule's worst input (long runs its patterns
 * could backtrack over), at twice the size against twice the work at the size, side by side.
 * Linear time gives about 1x; a rule gone quadratic again gives 0.5x or less.
 */
import { redactSecrets } from '../lib/index.js'
import { sideBySide, type Row } from './util.js'

/** One string per unit, each `bytes` long: runs of JWT starts, key prefixes, labels, PEM headers. */
export const ADVERSARIAL = ['-eyJ', 'eyJ.', '-eyJaaaa', 'sk-', '-', 'Bearer ', '-----BEGIN ', '-----END PRIVATE KEY-----',
  'authorization:', 'authorization: x\n', 'aws_secret_access_key=', 'ghp_', 'xoxb-', 'AKIA', 'AIza']

function texts(bytes: number): string[] {
  return ADVERSARIAL.map(unit => unit.repeat(Math.ceil(bytes / unit.length)))
}

export async function redactScenario(kib: number, rounds: number): Promise<Row> {
  const half = texts(kib * 512)
  const full = texts(kib * 1024)
  const r = await sideBySide(rounds, () => {
    for (let i = 0; i < 2; i++) for (const text of half) redactSecrets(text)
  }, () => {
    for (const text of full) redactSecrets(text)
  })
  const ratio = r.baseline / r.journal
  const ms = (value: number) => `${value.toFixed(1)} ms`
  return {
    scenario: `redactSecrets, ${ADVERSARIAL.length} adversarial texts of ${kib} KiB vs twice ${kib / 2} KiB`,
    target: '>= 0.7x',
    ratio,
    ok: ratio >= 0.7,
    journal: ms(r.journal),
    baseline: ms(r.baseline),
  }
}
