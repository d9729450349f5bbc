/**
 * The server under load, alone in its process so its peak RSS is its own:
 * `share <dir | postgres://...>` runs the share server over a store, `raw <big> <small>` the
 * baseline (node:http streaming two files, 403 for every POST). Prints
 * `{"url"}`, serves until stdin ends, then prints `{"maxRssMB","startRssMB"}`.
 */
import { createReadStream } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { startShareServer } from '../lib/server/index.js'

const [mode, ...args] = process.argv.slice(2)
let url: string
let close: () => Promise<void>
if (mode === 'share') {
  // A postgres:// URL in place of the folder: the PostgreSQL store (bench/share-pg.ts).
  const server = await startShareServer(/^postgres(ql)?:/.test(args[0]!) ? { store: args[0]! } : { dir: args[0]! })
  url = server.url
  close = () => server.close()
} else {
  const [big, small] = args as [string, string]
  const server = createServer((req, res) => {
    if (req.method === 'POST') {
      res.writeHead(403, { 'content-type': 'application/json', connection: 'close' }).end('{"error":{"code":"ERR_FORBIDDEN"}}')
      return
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    createReadStream(req.url?.endsWith('/small') ? small : big).pipe(res)
  })
  server.maxConnections = 1024
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  close = () => new Promise(resolve => {
    server.close(() => resolve())
    server.closeAllConnections()
  })
}
const startRssMB = process.memoryUsage().rss / 1048576
process.stdout.write(`${JSON.stringify({ url })}\n`)
process.stdin.resume()
process.stdin.on('end', () => {
  void close().then(() => {
    process.stdout.write(`${JSON.stringify({ maxRssMB: process.resourceUsage().maxRSS / 1024, startRssMB })}\n`)
  })
})
