/**
 * The viewer in a real browser: the page reads as a conversation, its stylesheet
 * passes the CSP, and nothing from the content runs. Needs Debian's chromium at
 * /usr/bin/chromium (CI installs it in .ci/run); without it this test fails, on purpose.
 */

import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { access, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { startShareServer, type ShareServer } from '../../lib/server/server.js'
import { tempDir } from '../helpers.js'

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
  assert.deepEqual(await page.locator('details.tool > summary').allInnerTexts(), ['Tool read · completed', 'Tool bash · error'])
  // Collapsed until opened.
  assert.equal(await page.getByText('src/retry.ts').isVisible(), false)
  await page.locator('details.tool > summary').first().click()
  assert.equal(await page.getByText('src/retry.ts').isVisible(), true)

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
