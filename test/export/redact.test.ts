import assert from 'node:assert/strict'
import { test } from 'node:test'
import { redactSecrets, redactValue, REDACTED } from '../../lib/export/redact.js'

const KEY = ['-----BEGIN OPENSSH PRIVATE KEY-----', 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ', '-----END OPENSSH PRIVATE KEY-----'].join('\n')
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'

test('the built-in redactor removes the known credential shapes', () => {
  const cases: Array<[string, string]> = [
    ['key sk-proj-abcdefghijklmnop1234 end', `key ${REDACTED} end`],
    ['sk-ant-api03-abcdefghijklmnopqrstu', REDACTED],
    ['token ghp_abcdefghijklmnopqrstuvwxyz0123456789', `token ${REDACTED}`],
    ['github_pat_11ABCDEFG0123456789_abcdefghijklmnop', REDACTED],
    ['id AKIAIOSFODNN7EXAMPLE,', `id ${REDACTED},`],
    ['aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', `aws_secret_access_key = ${REDACTED}`],
    [`jwt=${JWT};`, `jwt=${REDACTED};`],
    [`before\n${KEY}\nafter`, `before\n${REDACTED}\nafter`],
    ['-----BEGIN RSA PRIVATE KEY-----\nMIIEow cut off', REDACTED],
    ['GET /\nAuthorization: Basic dXNlcjpwYXNz\nHost: x', `GET /\nAuthorization: ${REDACTED}\nHost: x`],
    ['{"authorization": "token abc"}', `{"authorization": "${REDACTED}"}`],
    ['curl -H "x: Bearer abcdefgh12345678"', `curl -H "x: Bearer ${REDACTED}"`],
    ['xoxb-1234567890-abcdefghij', REDACTED],
    ['AIzaSyA1234567890abcdefghijklmnopqrstuv', REDACTED],
  ]
  for (const [input, expected] of cases) assert.equal(redactSecrets(input), expected, input)
})

test('ordinary text passes through untouched', () => {
  for (const text of ['sk-short', 'risk-assessment of the task', 'Bearer', 'ghp_short', '01ARZ3NDEKTSV4RRFFQ69G5FAV', 'emoji 🙂 \u2028', 'AKIA lowercase akiaiosfodnn7example']) {
    assert.equal(redactSecrets(text), text)
  }
})

test('redactValue maps string values only and keeps keys and their order', () => {
  const value = { b: 'x', a: ['y', 1, null, { sk: 'z', n: true }] }
  const out = redactValue(value, s => s.toUpperCase())
  assert.deepEqual(out, { b: 'X', a: ['Y', 1, null, { sk: 'Z', n: true }] })
  assert.deepEqual(Object.keys(out), ['b', 'a'])
  assert.deepEqual(value, { b: 'x', a: ['y', 1, null, { sk: 'z', n: true }] })
})
