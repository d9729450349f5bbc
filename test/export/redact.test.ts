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

test('adversarial inputs of doubling size (16..256 KiB) get the right result from every rule, in linear time', () => {
  const K = 1024
  /** [what repeats, what the repeated text becomes] */
  const cases: Array<[string, (text: string) => string]> = [
    ['-eyJ', text => text], // the quadratic one: a JWT start at every 4th character, never a dot
    ['eyJ.', text => text],
    ['-eyJaaaa', text => text],
    ['sk-', () => REDACTED],
    ['-', text => text],
    ['Bearer ', text => text],
    ['bearer\t', text => text],
    ['-----BEGIN ', text => text],
    ['-----BEGIN RSA KEY-----\n', text => text],
    ['-----END PRIVATE KEY-----', text => text],
    ['authorization:', () => `authorization:${REDACTED}`],
    ['authorization: x\n', text => text.replaceAll('authorization: x', `authorization: ${REDACTED}`)],
    ['aws_secret_access_key=', text => text],
    ['ghp_', text => text],
    ['xoxb-', () => REDACTED],
    ['AKIA', text => text],
    ['AIza', text => REDACTED + text.slice(39)], // no word boundary after the first key
  ]
  for (const [unit, expected] of cases) {
    for (let size = 16 * K; size <= 256 * K; size *= 2) {
      const text = unit.repeat(Math.ceil(size / unit.length))
      assert.equal(redactSecrets(text), expected(text), `${JSON.stringify(unit)} x ${text.length / unit.length}`)
    }
  }
  // The same runs with a real secret at the end are still found.
  const tail = `-eyJ`.repeat(64 * K) + '.eyJzdWIiOiIxIn0.sig'
  assert.equal(redactSecrets(tail), `-${REDACTED}`)
  assert.equal(redactSecrets(`${'-----BEGIN '.repeat(16 * K)}\n${KEY}`), `${'-----BEGIN '.repeat(16 * K)}\n${REDACTED}`)
  assert.equal(redactSecrets(`-----BEGIN PRIVATE KEY-----\n${'MIIE'.repeat(64 * K)}`), REDACTED)
  assert.equal(redactSecrets(`${'Bearer '.repeat(16 * K)}abcdefgh12345678`), `${'Bearer '.repeat(16 * K)}${REDACTED}`)
})

test('a secret-shaped run of millions of characters is redacted, not a stack overflow in the regex engine', () => {
  const run = 'a'.repeat(6 * 2 ** 20)
  for (const prefix of ['sk-', 'Bearer ', 'ghp_', 'github_pat_', 'xoxb-']) {
    const label = prefix === 'Bearer ' ? prefix : ''
    assert.equal(redactSecrets(`${prefix}${run} end`), `${label}${REDACTED} end`, prefix)
  }
  assert.equal(redactSecrets(`eyJ${run}.eyJ${run}.${run}`), REDACTED)
})

test('JWTs are found exactly where the regex they replace found them', () => {
  // The old rule, fine on short strings: what the linear matcher must agree with.
  const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g
  // Pieces that cannot make any other rule match.
  const pieces = ['eyJ', 'eyJ', 'eyJhb', 'ab', 'c', '.', '.', '-', '_', ' ', 'é', 'Z9', '=', '-eyJ']
  let seed = 20240501
  const next = (n: number) => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return (seed >>> 0) % n }
  let found = 0
  for (let i = 0; i < 20_000; i++) {
    let text = ''
    for (let k = next(40); k >= 0; k--) text += pieces[next(pieces.length)]
    const expected = text.replace(JWT, REDACTED)
    if (expected !== text) found++
    assert.equal(redactSecrets(text), expected, JSON.stringify(text))
  }
  assert.ok(found > 200, `only ${found} of the random texts held a JWT`)
})

test('redactValue keeps every key as an own data property, __proto__ and constructor included', () => {
  const input = JSON.parse('{"__proto__":{"x":"sk-abcdefghijklmnopqrstuvwx"},"constructor":{"prototype":1},"a":["__proto__"]}')
  const out = redactValue(input, redactSecrets)
  assert.equal(Object.getPrototypeOf(out), Object.prototype)
  assert.deepEqual(Object.keys(out), ['__proto__', 'constructor', 'a'])
  assert.equal(Object.getOwnPropertyDescriptor(out, '__proto__')?.enumerable, true)
  assert.equal(JSON.stringify(out), `{"__proto__":{"x":"${REDACTED}"},"constructor":{"prototype":1},"a":["__proto__"]}`)
  assert.equal(JSON.stringify(redactValue(input, s => s)), JSON.stringify(input))
  // A polluted-looking key inside an array element, too.
  const nestedProto = JSON.parse('[{"__proto__":{"polluted":true}}]')
  const copy = redactValue(nestedProto, s => s)
  assert.equal(({} as Record<string, unknown>).polluted, undefined)
  assert.equal(JSON.stringify(copy), '[{"__proto__":{"polluted":true}}]')
})

test('redactValue walks any depth without a stack overflow', () => {
  let value: unknown = 'sk-abcdefghijklmnopqrstuvwx'
  for (let i = 0; i < 100_000; i++) value = i % 2 === 0 ? [value] : { k: value }
  let out: any = redactValue(value, redactSecrets)
  for (let i = 100_000 - 1; i >= 0; i--) out = i % 2 === 0 ? out[0] : out.k
  assert.equal(out, REDACTED)
})
