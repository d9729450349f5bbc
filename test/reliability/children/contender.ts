/**
 * Lock-contention child: prints `ready`, waits for `go` on stdin (so several children race
 * at the same moment), then resumes one session. Prints `refused <code>` if it cannot, else
 * `got`, appends `events` custom events (`ack <seq>` each), then closes, or with `hold`
 * waits for `close` on stdin first. Prints `closed` when the lock is let go.
 */
import readline from 'node:readline'
import { Journal, type JournalError } from '../../../lib/index.js'

interface Config { root: string, id: string, label: string, events: number, hold?: boolean, lockWaitMs?: number, lockStaleMs?: number }

const arg = process.argv[2]
// node --test also runs this file as a test: without a config there is nothing to do.
if (arg !== undefined) {
  const config = JSON.parse(arg) as Config
  const input = readline.createInterface({ input: process.stdin })
  const seen: string[] = []
  let wake: (() => void) | null = null
  input.on('line', line => { seen.push(line); wake?.() })
  const waitFor = async (word: string) => {
    while (!seen.includes(word)) await new Promise<void>(resolve => { wake = resolve })
  }

  const journal = new Journal({
    root: config.root,
    fsync: 'always',
    ...(config.lockWaitMs === undefined ? {} : { lockWaitMs: config.lockWaitMs }),
    ...(config.lockStaleMs === undefined ? {} : { lockStaleMs: config.lockStaleMs }),
  })
  process.stdout.write('ready\n')
  await waitFor('go')
  try {
    const session = await journal.resume(config.id)
    process.stdout.write('got\n')
    for (let i = 0; i < config.events; i++) {
      const seq = session.nextSeq
      await session.append('x.contend.event', { label: config.label, i })
      process.stdout.write(`ack ${seq}\n`)
    }
    if (config.hold) await waitFor('close')
    await session.close()
    process.stdout.write('closed\n')
  } catch (error) {
    const code = (error as JournalError).code
    if (typeof code !== 'string') throw error
    process.stdout.write(`refused ${code}\n`)
  }
  input.close()
}
