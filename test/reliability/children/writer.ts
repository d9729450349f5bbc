/**
 * Many-writers child: creates its own session in a project, appends `messages` messages
 * (`ack <seq>` each), renames it, closes, and prints `done`. Prints `session <id>` first.
 */
import { Journal, type Durability } from '../../../lib/index.js'

interface Config { root: string, project: string, label: string, messages: number, fsync: Durability }

const arg = process.argv[2]
// node --test also runs this file as a test: without a config there is nothing to do.
if (arg !== undefined) {
  const config = JSON.parse(arg) as Config
  const journal = new Journal({ root: config.root, fsync: config.fsync, batchMs: 5 })
  const session = await journal.create({ project: config.project, title: `${config.label} start`, host: { name: 'writer-child' } })
  process.stdout.write(`session ${session.id}\n`)
  for (let i = 0; i < config.messages; i++) {
    const seq = session.nextSeq
    // Two appends in one tick: they go out as one write, as a streaming host's would.
    const id = `${config.label}-m${i}`
    await Promise.all([
      session.message({ id, role: 'assistant', parts: [{ id: `${id}-a`, type: 'text', text: `${config.label} says ${i} ${'·'.repeat(i * 7)}` }] }),
      session.part(id, { id: `${id}-b`, type: 'text', text: 'more' }),
    ])
    process.stdout.write(`ack ${seq}\n`)
  }
  await session.title(`${config.label} done`)
  await session.close()
  process.stdout.write('done\n')
}
