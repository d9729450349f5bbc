import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { httpShareProvider, type ShareDocument } from '../../lib/share/provider.js'
import { startShareServer, type ShareServer } from '../../lib/server/server.js'
import { tempDir } from '../helpers.js'

const loadDoc = async (): Promise<ShareDocument> =>
  JSON.parse(await readFile(new URL('../../../fixtures/share/conversation.json', import.meta.url), 'utf8')) as ShareDocument

async function setup(t: TestContext): Promise<{ server: ShareServer, store: string, doc: ShareDocument }> {
  const root = tempDir(t, 'sj-share-provider-')
  const store = join(root, 'store')
  const server = await startShareServer({ dir: store })
  t.after(() => server.close())
  return { server, store, doc: await loadDoc() }
}

const renamed = (doc: ShareDocument, title: string): ShareDocument => ({ ...doc, info: { ...doc.info, title } })

test('publish, sync and remove against the real server', async (t) => {
  const { server, store, doc } = await setup(t)
  const provider = httpShareProvider(`${server.url}/`)
  const record = await provider.publish(doc)
  assert.equal(record.server, server.url)
  assert.equal(record.url, `${server.url}/s/${record.shareId}`)
  assert.match(record.secret, /^[A-Za-z0-9_-]{43}$/)
  assert.deepEqual(await (await fetch(`${server.url}/api/share/${record.shareId}`)).json(), doc)

  const next = renamed(doc, 'Second title')
  await provider.sync(record, next)
  assert.deepEqual(await (await fetch(`${server.url}/api/share/${record.shareId}`)).json(), next)

  await provider.remove(record)
  assert.deepEqual(await readdir(store), [])
  assert.equal((await fetch(record.url)).status, 404)
})

test('removing an already-removed share is success', async (t) => {
  const { server, doc } = await setup(t)
  const provider = httpShareProvider(server.url)
  const record = await provider.publish(doc)
  await provider.remove(record)
  await provider.remove(record)
})

test('sync and remove go to the server in the record, not the provider\'s', async (t) => {
  const { server, doc } = await setup(t)
  const record = await httpShareProvider(server.url).publish(doc)
  const elsewhere = httpShareProvider('http://127.0.0.1:9/unused')
  await elsewhere.sync(record, renamed(doc, 'via record'))
  assert.equal(((await (await fetch(`${server.url}/api/share/${record.shareId}`)).json()) as ShareDocument).info.title, 'via record')
  await elsewhere.remove(record)
  assert.equal((await fetch(record.url)).status, 404)
})

test('a wrong secret is ERR_SHARE_FAILED with status 403 and the server\'s reason', async (t) => {
  const { server, doc } = await setup(t)
  const provider = httpShareProvider(server.url)
  const record = await provider.publish(doc)
  const forged = { ...record, secret: 'not-the-secret' }
  await assert.rejects(provider.sync(forged, doc), (error: any) => {
    assert.equal(error.code, 'ERR_SHARE_FAILED')
    assert.equal(error.status, 403)
    assert.match(error.message, /HTTP 403 missing or wrong secret/)
    return true
  })
  await assert.rejects(provider.remove(forged), { code: 'ERR_SHARE_FAILED', status: 403 })
  assert.equal((await fetch(record.url)).status, 200)
})

test('sync of a removed share is ERR_SHARE_FAILED with status 404', async (t) => {
  const { server, doc } = await setup(t)
  const provider = httpShareProvider(server.url)
  const record = await provider.publish(doc)
  await provider.remove(record)
  await assert.rejects(provider.sync(record, doc), { code: 'ERR_SHARE_FAILED', status: 404 })
})

test('a document the server rejects is ERR_SHARE_FAILED with status 400', async (t) => {
  const { server, doc } = await setup(t)
  const bad = { ...doc, version: 2 } as unknown as ShareDocument
  await assert.rejects(httpShareProvider(server.url).publish(bad), (error: any) => {
    assert.equal(error.code, 'ERR_SHARE_FAILED')
    assert.equal(error.status, 400)
    assert.match(error.message, /version must be 1/)
    return true
  })
})

test('an unreachable server is ERR_SHARE_FAILED without status, with the cause', async (t) => {
  const { doc } = await setup(t)
  const root = tempDir(t, 'sj-share-provider-closed-')
  const closed = await startShareServer({ dir: root })
  await closed.close()
  await assert.rejects(httpShareProvider(closed.url).publish(doc), (error: any) => {
    assert.equal(error.code, 'ERR_SHARE_FAILED')
    assert.equal(error.status, undefined)
    assert.ok(error.cause instanceof Error)
    return true
  })
})

test('a request that outlives timeoutMs is ERR_SHARE_FAILED', async (t) => {
  const { doc } = await setup(t)
  // A fetch that never answers on its own: only the provider's timeout signal ends it.
  const hanging: typeof fetch = (_input, init) => new Promise((_resolve, reject) => {
    init?.signal?.addEventListener('abort', () => reject(init.signal?.reason))
  })
  await assert.rejects(httpShareProvider('http://share.invalid', { fetch: hanging, timeoutMs: 5 }).publish(doc), (error: any) => {
    assert.equal(error.code, 'ERR_SHARE_FAILED')
    assert.match(error.message, /no answer within 5 ms/)
    return true
  })
})

test('answers that are not what the protocol says are ERR_SHARE_FAILED', async (t) => {
  const { doc } = await setup(t)
  const answering = (response: () => Response): typeof fetch => async () => response()
  const cases: Array<[() => Response, number]> = [
    [() => new Response('<h1>Bad gateway</h1>', { status: 502, statusText: 'Bad Gateway' }), 502],
    [() => new Response('not json', { status: 201 }), 201],
    [() => Response.json({ id: 'a', secret: 's' }, { status: 201 }), 201],
    [() => Response.json({ id: 'a', url: 'javascript:alert(1)', secret: 's' }, { status: 201 }), 201],
    [() => Response.json({ id: 'a', url: 'https://x.test/s/a', secret: 's' }, { status: 200 }), 200],
  ]
  for (const [response, status] of cases) {
    await assert.rejects(httpShareProvider('https://share.test', { fetch: answering(response) }).publish(doc), (error: any) => {
      assert.equal(error.code, 'ERR_SHARE_FAILED')
      assert.equal(error.status, status)
      return true
    })
  }
  const gateway = httpShareProvider('https://share.test', { fetch: answering(cases[0]![0]) })
  await assert.rejects(gateway.publish(doc), /HTTP 502 Bad Gateway/)
})

test('a server URL that is not http(s) is ERR_SHARE_FAILED', async () => {
  assert.throws(() => httpShareProvider('ftp://share.test'), { code: 'ERR_SHARE_FAILED' })
  assert.throws(() => httpShareProvider('not a url'), { code: 'ERR_SHARE_FAILED' })
})
