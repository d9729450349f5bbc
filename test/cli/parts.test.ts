/**
 * `show` and `tail` lines of hostile parts from a log written elsewhere (the appender refuses
 * nesting past MAX_JSON_DEPTH, but JSON.parse reads any depth, so a log can hold it).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { partSummary, renderPart } from '../../lib/cli/parts.js'
import type { Part } from '../../lib/index.js'

const nested = (levels: number): unknown => JSON.parse('['.repeat(levels) + ']'.repeat(levels))

for (const [what, part] of [
  ['a tool part', { id: 't', type: 'tool', tool: 'bash', state: { status: 'completed', input: nested(100_000), output: nested(100_000), error: { code: nested(100_000) } } }],
  ['a part of another type (brief() stringifies it whole)', { id: 'd', type: 'data', value: nested(100_000) }],
] as const) {
  test(`show and tail: ${what} nested 100 000 deep prints bounded lines, never a RangeError`, () => {
    assert.ok(renderPart(part as unknown as Part, 5).length < 10_000, 'show')
    assert.ok(partSummary(part as unknown as Record<string, unknown>, 80).length < 10_000, 'tail')
  })
}

test('show and tail: bidi controls and terminal escapes in a tool name, command, status and error are escaped', () => {
  const spoof = 'rm -rf ~/\u202Egnp.tac\u202C \u001b]8;;http://x\u0007link\u001b]8;;\u0007 \u009b31m'
  const part = { id: 'k', type: 'tool', tool: `bash${spoof}`, state: { status: spoof, input: { command: spoof }, error: spoof, output: spoof } } as unknown as Part
  for (const text of [renderPart(part, 5), partSummary(part as unknown as Record<string, unknown>, 80)]) {
    assert.doesNotMatch(text, /[\u001b\u0007\u009b\u202a-\u202e\u2066-\u2069]/, JSON.stringify(text))
  }
})
