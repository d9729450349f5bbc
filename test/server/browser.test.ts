/**
 * The viewer in a real browser: the page reads as a conversation, its stylesheet
 * passes the CSP, and nothing from the content runs. Needs Debian's chromium at
 * /usr/bin/chromium (CI installs it in .ci/run); without it this test fails, on purpose.
 */

import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { access, mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { startShareServer, type ShareServer } from '../../lib/server/server.js'
import { repoRoot, tempDir } from '../helpers.js'

/** Where the screenshots go, for people to look at (listed in .gitignore). */
const SCREENSHOTS = join(repoRoot, 'test-output', 'viewer')
const REL = 'nofollow noopener noreferrer'

const CHROMIUM = '/usr/bin/chromium'

async function launch(t: TestContext): Promise<Browser> {
  try {
    await access(CHROMIUM)
  } catch (error) {
    throw new Error(`${CHROMIUM} is missing; the viewer test needs it: apt-get install -y chromium (as .ci/run does)`, { cause: error })
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  t.after(() => browser.close())
  return browser
}

async function serve(t: TestContext, fixture: string): Promise<{ server: ShareServer, pageUrl: string }> {
  const root = tempDir(t, 'sj-share-viewer-')
  const server = await startShareServer({ dir: join(root, 'store') })
  t.after(() => server.close())
  const body = await readFile(new URL(`../../../fixtures/share/${fixture}`, import.meta.url), 'utf8')
  const response = await fetch(`${server.url}/api/share`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  assert.equal(response.status, 201)
  const { url } = await response.json() as { url: string }
  return { server, pageUrl: url }
}

/** Everything the page does that it should not: console output (CSP reports land there), dialogs, errors, extra requests. */
function watch(page: Page, pageUrl: string): { console: string[], dialogs: string[], errors: string[], requests: string[] } {
  const seen = { console: [] as string[], dialogs: [] as string[], errors: [] as string[], requests: [] as string[] }
  page.on('console', message => seen.console.push(`${message.type()}: ${message.text()}`))
  page.on('dialog', dialog => {
    seen.dialogs.push(dialog.message())
    void dialog.dismiss()
  })
  page.on('pageerror', error => seen.errors.push(error.message))
  page.on('request', request => {
    if (request.url() !== pageUrl) seen.requests.push(request.url())
  })
  return seen
}

/** CSP violations the page reports (securitypolicyviolation events), recorded by the harness, not by the page. */
async function recordViolations(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(`{
    const seen = []
    Object.defineProperty(window, '__violations', { value: seen })
    document.addEventListener('securitypolicyviolation', e => seen.push(e.violatedDirective + ' ' + e.blockedURI))
  }`)
  return () => page.evaluate('window.__violations') as Promise<string[]>
}

test('the viewer shows the conversation, styled under its CSP', async (t) => {
  const browser = await launch(t)
  const { pageUrl } = await serve(t, 'conversation.json')
  const page = await browser.newPage()
  const seen = watch(page, pageUrl)
  const response = await page.goto(pageUrl)
  assert.equal(response?.status(), 200)

  assert.equal(await page.title(), 'Fix the flaky retry test')
  assert.equal(await page.locator('h1').innerText(), 'Fix the flaky retry test')
  assert.equal(await page.locator('article.message').count(), 3)
  assert.deepEqual(await page.locator('.role-name').allInnerTexts(), ['USER', 'ASSISTANT', 'USER'])
  const text = await page.locator('main').innerText()
  assert.match(text, /The retry test fails about once in ten runs\./)
  assert.match(text, /Thanks, that fixed it\./)
  assert.match(await page.locator('pre code').first().innerText(), /^export function backoff\(n: number, random = Math\.random\): number \{/)
  assert.deepEqual(await page.locator('.tool > details > summary').allInnerTexts(), ['read src/retry.ts · completed', 'bash npm test · error'])
  // A failed call's error is in plain sight; input and output stay collapsed until opened.
  assert.equal(await page.locator('.tool.failed .tool-error').innerText(), '1 failing')
  const output = page.getByText('export function backoff(n: number) { ... }')
  assert.equal(await output.isVisible(), false)
  await page.locator('.tool > details > summary').first().click()
  assert.equal(await output.isVisible(), true)

  // The stylesheet applied: the CSP hash matches the inline <style>.
  assert.equal(await page.evaluate('getComputedStyle(document.querySelector("main")).maxWidth'), '832px')
  assert.deepEqual(seen, { console: [], dialogs: [], errors: [], requests: [] })
})

test('content that tries to run script is shown as text and never runs', async (t) => {
  const browser = await launch(t)
  const { pageUrl } = await serve(t, 'xss.json')
  const page = await browser.newPage()
  const seen = watch(page, pageUrl)
  await page.goto(pageUrl)
  for (const details of await page.locator('details').all()) await details.locator('summary').click()

  assert.equal(await page.title(), '</title><script>window.__pwned=1</script>')
  assert.equal(await page.evaluate('window.__pwned'), undefined)
  const text = await page.locator('main').innerText()
  assert.ok(text.includes('Hello <script>window.__pwned=1</script> world'))
  assert.ok(text.includes(`"><img src=x onerror="document.title='pwned'">`))
  assert.ok(text.includes('<script>alert(1)</script>'))
  assert.ok(text.includes('<iframe src=javascript:alert(1)>'))
  assert.ok(text.includes('<style>body{display:none}</style>'))
  assert.equal(await page.locator('script, img, iframe, svg, object, embed').count(), 0)
  assert.equal(await page.locator('style').count(), 1)
  assert.deepEqual(seen, { console: [], dialogs: [], errors: [], requests: [] })
})

test('markdown, code and tool calls read like the conversation, on a desktop and on a phone', async (t) => {
  const browser = await launch(t)
  const { pageUrl } = await serve(t, 'rich.json')
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  const seen = watch(page, pageUrl)
  const violations = await recordViolations(page)
  const response = await page.goto(pageUrl)
  // The same policy as ever: nothing may load or run but the page's one stylesheet.
  assert.match(response?.headers()['content-security-policy'] ?? '',
    /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'$/)

  // Markdown is elements, not asterisks.
  const first = page.locator('article.message').first()
  assert.deepEqual(await first.locator('ol > li').allInnerTexts(), ['accept quoted newlines,', 'keep \\r\\n inside quotes as written,', 'still report the line number of a broken row.'])
  assert.equal(await first.locator('strong').innerText(), 'quoted newlines')
  assert.equal(await first.locator('em').innerText(), 'line number')
  assert.deepEqual(await first.locator('a').evaluateAll(links => links.map(a => [a.getAttribute('href'), a.getAttribute('rel'), a.textContent])), [
    ['https://www.rfc-editor.org/rfc/rfc4180', REL, 'RFC 4180'],
    ['https://en.wikipedia.org/wiki/Comma-separated_values', REL, 'https://en.wikipedia.org/wiki/Comma-separated_values'],
  ])
  assert.deepEqual(await page.locator('table th').allInnerTexts(), ['step', 'file', 'change'])
  assert.equal(await page.evaluate(`getComputedStyle(document.querySelector('table td.align-right')).textAlign`), 'right')
  assert.equal(await page.locator('blockquote').count(), 1)
  assert.equal(await page.locator('ul ul > li').count(), 2)
  assert.equal(await page.locator('h3').innerText(), 'Summary')
  assert.equal(await page.locator('s').innerText(), 'the old splitter')
  // Code blocks keep their language, as a label and a class.
  assert.deepEqual(await page.locator('.code > .lang').allInnerTexts(), ['csv', 'typescript'])
  assert.equal(await page.locator('pre > code.language-typescript').count(), 1)
  // A javascript: link stays text; an image is a link to it, never loaded.
  const text = await page.locator('main').innerText()
  assert.ok(text.includes('[run this](javascript:alert(1))'))
  assert.equal(await page.locator('img').count(), 0)
  assert.equal(await page.locator('a.image').getAttribute('href'), 'https://example.com/diagram.png')
  assert.equal(await page.locator('a.image').innerText(), 'image: the diagram')

  // Each tool call is one line that says what ran.
  assert.deepEqual(await page.locator('.tool > details > summary').allInnerTexts(), [
    'read /home/dev/ledger/src/csv/tokenize.ts · completed · 12 ms',
    'grep tokenize\\( · completed · 85 ms',
    'edit /home/dev/ledger/src/csv/tokenize.ts · completed · 31 ms',
    'bash npm test -- --test-name-pattern csv · completed · 4.8 s',
    'bash npx tsc --noEmit -p . · error · 2.2 s',
    'webfetch https://www.rfc-editor.org/rfc/rfc4180 · completed · 640 ms',
    'glob test/**/*.csv · running',
  ])
  assert.match(await page.locator('.tool.failed .tool-error').innerText(), /^src\/csv\/import\.ts\(14,9\): error TS2322/)
  assert.equal(await page.locator('.tool-error').count(), 1)
  // The 120-line output shows 50 lines and says how many are left, once opened.
  const run = page.locator('.tool').nth(3)
  const note = run.locator('.more')
  assert.equal(await note.isVisible(), false)
  await run.locator('summary').click()
  assert.equal(await note.innerText(), '… 70 more lines not shown. Everything is in the JSON.')
  assert.equal((await run.locator('pre').nth(1).innerText()).split('\n').length, 50)

  await mkdir(SCREENSHOTS, { recursive: true })
  await page.screenshot({ path: join(SCREENSHOTS, 'desktop-1280.png'), fullPage: true })
  // On a phone the page does not scroll sideways: long code lines scroll in their own box.
  await page.setViewportSize({ width: 390, height: 844 })
  assert.equal(await page.evaluate('document.documentElement.scrollWidth'), 390)
  assert.deepEqual(await page.evaluate(`[...document.querySelectorAll('pre')].filter(pre => pre.textContent.includes('const rows: Row[] = []'))
    .map(pre => [pre.scrollWidth > pre.clientWidth + 100, getComputedStyle(pre).overflowX])`), [[true, 'auto']])
  await page.screenshot({ path: join(SCREENSHOTS, 'phone-390.png'), fullPage: true })
  t.diagnostic(`screenshots: ${join(SCREENSHOTS, 'desktop-1280.png')}, ${join(SCREENSHOTS, 'phone-390.png')}`)

  assert.deepEqual(await violations(), [])
  assert.deepEqual(seen, { console: [], dialogs: [], errors: [], requests: [] })
})

test('script never runs from markdown: links, autolinks, images, raw HTML, fences, tables, tool fields', async (t) => {
  const browser = await launch(t)
  const { pageUrl } = await serve(t, 'xss-markdown.json')
  const page = await browser.newPage()
  const seen = watch(page, pageUrl)
  const violations = await recordViolations(page)
  await page.goto(pageUrl)
  for (const details of await page.locator('details').all()) await details.locator('summary').click()
  for (const link of await page.locator('a').all()) await link.hover()

  assert.equal(await page.evaluate('window.__pwned'), undefined)
  // Only http(s) links survive, each with its rel; every other target is text.
  assert.deepEqual(await page.locator('a').evaluateAll(links => links.map(a => a.getAttribute('href'))), [
    'https://example.com/ok', 'https://example.com/ref', 'https://example.com/t', 'https://example.com/tracker.png',
    'https://example.com/inner', 'https://example.com/bold',
  ])
  assert.deepEqual([...new Set(await page.locator('a').evaluateAll(links => links.map(a => a.getAttribute('rel'))))], [REL])
  const text = await page.locator('main').innerText()
  for (const shown of ['[plain js](javascript:alert(1))', '[upper](JAVASCRIPT:alert(1))', '[entity colon](javascript:alert(1))',
    '[vb](vbscript:msgbox(1))', '[relative](../api/share)', '<javascript:alert(1)>', '![img data](data:image/png;base64,iVBORw0KGgo=)',
    '<img src=x onerror="window.__pwned=1">', '<script>window.__pwned=1</script>', '<style>body{display:none}</style>',
    'Escape sequences: red and a bell ␇ and DEL ␡.']) {
    assert.ok(text.includes(shown), shown)
  }
  // Nothing from the document became an element that loads or runs, a handler, or a style.
  assert.equal(await page.locator('script, img, iframe, svg, object, embed, link, meta[http-equiv], base, form').count(), 0)
  assert.equal(await page.locator('style').count(), 1)
  assert.deepEqual(await page.evaluate(`[...document.querySelectorAll('*')].flatMap(e => [...e.attributes]
    .filter(a => a.name.startsWith('on') || a.name === 'style' || a.name === 'srcdoc').map(a => e.tagName + ' ' + a.name))`), [])
  assert.deepEqual(await violations(), [])
  assert.deepEqual(seen, { console: [], dialogs: [], errors: [], requests: [] })

  // The probe works: a blocked load is reported (so the empty list above means something).
  await page.evaluate(`document.body.append(Object.assign(document.createElement('img'), { src: 'https://example.com/probe.png' }))`)
  await page.waitForFunction('window.__violations.length > 0')
  assert.match((await violations())[0]!, /^img-src https:\/\/example\.com\/probe\.png$/)
})
