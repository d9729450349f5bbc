/**
 * The query parser: what it makes of what people type (only FTS5 string literals, AND and
 * NOT), where it says a query is wrong, and a fuzz: any string at all is either a query the
 * real index runs or ERR_INVALID_QUERY with an offset inside the string, never an engine error.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import fc from 'fast-check'
import { JournalError } from '../../lib/index.js'
import { MAX_QUERY_CHARS, parseQuery, toMatch } from '../../lib/search/query.js'
import { codeOf } from '../helpers.js'
import { setup } from './helpers.js'

test('parseQuery -> toMatch: words AND-ed, phrases, prefixes and exclusions, all as string literals', () => {
  const match = (q: string) => toMatch(parseQuery(q))
  assert.equal(match('flaky test'), '("flaky" AND "test")')
  assert.equal(match('"flaky test" fails'), '("flaky test" AND "fails")')
  assert.equal(match('test* -monday "a b"*'), '("test" * AND "a b" *) NOT "monday"')
  assert.equal(match('ERR_SESSION_LOCKED src/lib/paths.ts'), '("ERR_SESSION_LOCKED" AND "src/lib/paths.ts")')
  assert.equal(match('AND OR NOT NEAR( a:b ^c'), '("AND" AND "OR" AND "NOT" AND "NEAR(" AND "a:b" AND "^c")')
  assert.equal(match('x -"y z" -w'), '("x") NOT "y z" NOT "w"')
  assert.equal(match('say "it\'s" x"y"'), '("say" AND "it\'s" AND "x" AND "y")')
  assert.equal(match('tab\there \u0001ctl'), '("tab" AND "here" AND " ctl")')
  assert.equal(match('() -- ... word'), '("word")') // punctuation alone has nothing to find: left out
  assert.deepEqual(parseQuery('a -"b c"*'), [
    { text: 'a', phrase: false, prefix: false, exclude: false, offset: 0 },
    { text: 'b c', phrase: true, prefix: true, exclude: true, offset: 2 },
  ])
})

test('parseQuery: errors name the offset where the query goes wrong', () => {
  const offset = (q: unknown) => {
    try {
      parseQuery(q)
    } catch (error) {
      assert.ok(error instanceof JournalError && error.code === 'ERR_INVALID_QUERY', String(error))
      return error.offset
    }
    return 'valid'
  }
  assert.equal(offset('a "b c'), 2)
  assert.equal(offset('a "b" "c'), 6)
  assert.equal(offset('a -'), 2)
  assert.equal(offset('a *'), 2)
  assert.equal(offset('a -*'), 3)
  assert.equal(offset('a ""'), 2)
  assert.equal(offset('-a -b'), 0)
  assert.equal(offset(' \t\n'), 0)
  assert.equal(offset('a'.repeat(MAX_QUERY_CHARS)), 'valid')
  assert.equal(offset('a'.repeat(MAX_QUERY_CHARS + 1)), MAX_QUERY_CHARS)
  assert.equal(offset(Array.from({ length: 64 }, () => 'w').join(' ')), 'valid')
  assert.equal(offset(Array.from({ length: 65 }, () => 'w').join(' ')), 128)
  assert.equal(offset(42), 0)
  assert.equal(codeOf(() => parseQuery('résumé')), undefined)
})

// Strings heavy in what FTS5 and our parser treat specially, and any characters at all.
const syntax = fc.constantFrom('"', '*', '-', '(', ')', ':', '^', '+', '{', '}', ' ', '\t', 'AND', 'OR', 'NOT', 'NEAR', ',', '\u0000', '\ud800', 'é', 'x', '_', '/')
const hostile = fc.oneof(
  fc.array(fc.oneof(syntax, fc.string({ maxLength: 3 })), { maxLength: 30 }).map(a => a.join('')),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
)

test('fuzz: any string is a query the index runs, or ERR_INVALID_QUERY with an offset inside it', async t => {
  const { j, dir } = setup(t)
  const s = await j.create({ project: path.join(dir, 'p'), title: 'AND OR NOT NEAR' })
  await s.message({ role: 'user', parts: [{ type: 'text', text: 'x_y "quoted" (parens) a:b ^c é -dash star* NEAR(a b)' }] })
  await s.close()
  await fc.assert(fc.asyncProperty(hostile, async query => {
    try {
      assert.ok(Array.isArray(await j.search(query)))
    } catch (error) {
      assert.ok(error instanceof JournalError, `not a JournalError for ${JSON.stringify(query)}: ${String(error)}`)
      assert.equal(error.code, 'ERR_INVALID_QUERY', `${JSON.stringify(query)}: ${error.message}`)
      assert.ok(error.offset !== undefined && error.offset >= 0 && error.offset <= query.length, `offset ${error.offset} of ${JSON.stringify(query)}`)
    }
  }), { numRuns: 400 })
})
