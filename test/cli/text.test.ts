/** The sanitizer and display width (lib/cli/text.ts), and every human format going through them. */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { test } from 'node:test'
import fc from 'fast-check'
import { table } from '../../lib/cli/format.js'
import { displayWidth, oneLine, printable, safeJson, sanitize, truncate } from '../../lib/cli/text.js'
import { Journal } from '../../lib/journal.js'
import { run } from './helpers.js'
import { journalIn } from '../sessions.js'

/** Clear screen, window title, a hyperlink, C1 CSI and OSC, a line separator, NUL, DEL, a bidi override. */
const NASTY = 'A\x1b[2J B\x1b]0;pwned\x07 C\x1b]8;;http://evil.example/\x1b\\link\x1b]8;;\x1b\\ D\u009b31m E\u009d0;t\x07 F\u2028G\u0000H\u007fI\u202eJ'
/** What a terminal could act on: C0 but newline and tab, DEL, C1, bidi controls; and U+2028/9, which break lines. */
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/
const ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV'

test('sanitize: controls become pictures or escapes; line breaks per mode', () => {
  assert.equal(oneLine(NASTY), 'A␛[2J B␛]0;pwned␇ C␛]8;;http://evil.example/␛\\link␛]8;;␛\\ D\\u009b31m E\\u009d0;t␇ F G␀H␡I\\u202eJ')
  assert.equal(printable(NASTY), 'A␛[2J B␛]0;pwned␇ C␛]8;;http://evil.example/␛\\link␛]8;;␛\\ D\\u009b31m E\\u009d0;t␇ F\nG␀H␡I\\u202eJ')
  assert.equal(sanitize(' a\tb\r\nc\u2029d  ', 'line'), 'a b c d')
  assert.equal(sanitize('a\tb\r\nc\rd\u2029e', 'text'), 'a\tb\nc␍d\ne')
  assert.equal(oneLine('plain 🙂 é 漢字 👩🏽‍💻'), 'plain 🙂 é 漢字 👩🏽‍💻', 'printable text is untouched')
})

test('oneLine: the fast path for clean text gives exactly what the full sanitizer gives, for any string', () => {
  // The full rules, spelled out: breaks to one space, trim, then controls made visible.
  const full = (text: string) => text.replace(/[\t\n\v\f\r\u2028\u2029]+/g, ' ').trim()
    .replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, c => sanitize(c, 'line') || c)
  const chars = fc.constantFrom('a', 'é', '漢', '🚀', ' ', '\u00a0', '\t', '\n', '\r', '\u001b', '\u0000', '\u007f', '\u009b', '\u2028', '\u2029', '\u202e', '\u2066', '\ufeff', '_', '[')
  fc.assert(fc.property(fc.array(chars, { maxLength: 12 }).map(a => a.join('')), text => {
    assert.equal(oneLine(text), full(text))
  }), { numRuns: 2000 })
  for (const clean of ['', 'session 1', '/home/ünï/project', '__proto__', 'a'.repeat(100_000)]) assert.equal(oneLine(clean), clean)
  assert.equal(oneLine(' \u00a0title\ufeff'), 'title')
})

test('safeJson: the same value once parsed, with DEL, C1 and U+2028/9 escaped', () => {
  const value = { text: NASTY, n: [1, null] }
  const text = safeJson(value)
  assert.deepEqual(JSON.parse(text), value)
  assert.doesNotMatch(text, RAW)
  assert.doesNotMatch(text, /[\t\n]/)
  assert.equal(safeJson({ a: 'x' }, 2), JSON.stringify({ a: 'x' }, null, 2))
})

test('display width: wide CJK and emoji take two columns, combining marks none', () => {
  assert.equal(displayWidth('abc'), 3)
  assert.equal(displayWidth('漢字'), 4)
  assert.equal(displayWidth('한국'), 4)
  assert.equal(displayWidth('🙂'), 2)
  assert.equal(displayWidth('👩🏽‍💻'), 2, 'one ZWJ sequence, one glyph')
  assert.equal(displayWidth('🇫🇷'), 2)
  assert.equal(displayWidth('e\u0301'), 1)
  assert.equal(displayWidth('ｆｕｌｌ'), 8)
  assert.equal(truncate('漢字漢字漢字', 7), '漢字漢…')
  assert.equal(truncate('👩🏽‍💻👩🏽‍💻', 3), '👩🏽‍💻…', 'never half a grapheme')
  assert.equal(truncate('short', 10), 'short')
  assert.equal(table([['A', 'B', 'C'], ['漢字漢字', '🙂', 'x'], ['ab', 'cd', 'y']]), [
    'A         B   C',
    '漢字漢字  🙂  x',
    'ab        cd  y',
    '',
  ].join('\n'))
})

/** A log with NASTY in every string field the CLI prints, imported as a raw log. */
function nastyLog(): string {
  const lines = [
    { seq: 0, ts: NASTY, type: 'session', version: 1, id: ID, projectId: 'p-0123456789ab', projectPath: `/p${NASTY}`, title: `T${NASTY}`, parentId: null, host: null },
    { seq: 1, ts: NASTY, type: 'message', id: `m${NASTY}`, role: 'user', parts: [{ id: `p${NASTY}`, type: 'text', text: `X${NASTY}` }] },
    { seq: 2, ts: NASTY, type: 'part', messageId: `m${NASTY}`, part: { id: `t${NASTY}`, type: 'tool', tool: `b${NASTY}`, status: `s${NASTY}`, input: { command: `c${NASTY}` }, error: `E${NASTY}` } },
    { seq: 3, ts: NASTY, type: 'part', messageId: `m${NASTY}`, part: { id: `o${NASTY}`, type: `k${NASTY}`, data: NASTY } },
    { seq: 4, ts: NASTY, type: 'share', url: `https://x/${NASTY}`, shareId: 'abc' },
    { seq: 5, ts: NASTY, type: `x.${NASTY}`, data: NASTY },
    { seq: 6, ts: NASTY, type: 'title', title: `U${NASTY}` },
  ]
  return lines.map(line => JSON.stringify(line)).join('\n') + '\n'
}

test('list, show, tail, verify and errors print no control character from a log; --json is exact', async t => {
  const { root } = journalIn(t)
  const imported = await run(['import', '-'], { root, stdin: nastyLog() })
  assert.deepEqual([imported.code, imported.stdout, imported.stderr], [0, `${ID}\n`, ''])
  const journal = new Journal({ root })
  const outputs: Array<[string, string]> = []
  const human = async (argv: string[], isTTY = false) => {
    const r = await run(argv, { root, isTTY })
    assert.equal(r.code, 0, `${argv.join(' ')}: ${r.stderr}`)
    outputs.push([argv.join(' '), r.stdout], [`${argv.join(' ')} (stderr)`, r.stderr])
    return r.stdout
  }
  const tsv = await human(['list'])
  assert.equal(tsv.split('\n').length, 2, 'one line')
  assert.equal(tsv.split('\t').length, 7, 'seven fields')
  assert.match(tsv, /\/pA␛\[2J B␛\]0;pwned␇ C␛\]8;;http:\/\/evil\.example\/␛\\link␛\]8;;␛\\ D\\u009b31m E\\u009d0;t␇ F G␀H␡I\\u202eJ\tUA␛/)
  assert.match(await human(['list'], true), /␛\[2J/)
  const shown = await human(['show', ID])
  for (const expected of ['UA␛[2J', 'project  /pA␛[2J', 'created  A␛[2J', '── user · A␛[2J', 'XA␛[2J', '[bA␛[2J', '-> sA␛[2J', '    EA␛[2J', 'F\n    G␀H␡I', '[kA␛[2J']) {
    assert.ok(shown.includes(expected), `show prints ${JSON.stringify(expected)} in\n${shown}`)
  }
  // An imported copy is not shared (its share event stays history): the link shows in tail.
  assert.ok(!shown.includes('shared   '), 'an imported copy is not shared')
  const tail = await human(['tail', ID, '-n', '8'])
  assert.equal(tail.split('\n').length, 9, 'one line per event (the import added a closing import line)')
  for (const expected of [' A␛[2J B', 'session  ', 'mA␛[2J', '[bA␛[2J', 'x.A␛[2J', 'UA␛[2J', 'https://x/A']) assert.ok(tail.includes(expected), expected)
  await human(['verify', ID])

  // Damage found in the log, an error quoting an argument, one quoting a document.
  fs.appendFileSync((await journal.locate(ID)).path, `{"seq":8,${NASTY}\n`)
  const verify = await run(['verify', ID], { root })
  assert.equal(verify.code, 5)
  outputs.push(['verify damaged', verify.stdout])
  assert.match(verify.stdout, /:9 \(byte \d+\) bad-json: not JSON/)
  outputs.push(['tail damaged (stderr)', (await run(['tail', ID], { root })).stderr])
  const bad = await run(['show', `\u009b2J${NASTY}`], { root })
  assert.equal(bad.code, 2)
  assert.match(bad.stderr, /invalid session id .*\\u009b2J/)
  outputs.push(['show bad id', bad.stderr])
  fs.writeFileSync(`${root}/bad.json`, `{"x": "${NASTY}`)
  const notJson = await run(['import', `${root}/bad.json`], { root })
  assert.equal(notJson.code, 1)
  outputs.push(['import bad', notJson.stderr])
  for (const [what, text] of outputs) assert.doesNotMatch(text, RAW, what)

  const json = await run(['list', '--json'], { root })
  assert.deepEqual(JSON.parse(json.stdout), JSON.parse(JSON.stringify(await journal.list())))
  const history = await run(['show', ID, '--json'], { root })
  assert.deepEqual(JSON.parse(history.stdout), JSON.parse(JSON.stringify(await journal.read(ID))))
  const events = await run(['tail', ID, '--json'], { root })
  assert.equal(JSON.parse(events.stdout.split('\n')[1]!).ts, NASTY)
  for (const text of [json.stdout, history.stdout, events.stdout]) assert.doesNotMatch(text, RAW)
})
