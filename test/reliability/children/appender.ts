/**
 * Crash-loop child: creates (or resumes) a session and appends forever, several appends in
 * flight, a mix of small and large events, until the parent SIGKILLs it. Prints
 * `ready <id> <nextSeq>` once it holds the session, then `ack <seq> <kind>` for every append
 * whose promise resolved: those are the events the journal promised to keep.
 */
import fs from 'node:fs'
import { Journal, type Durability } from '../../../lib/index.js'
import { withWriterIO, type WriterIO } from '../../../lib/testing.js'

interface Config {
  root: string
  project: string
  fsync: Durability
  id?: string
  inflight: number
  /** After this many acks, print `big <seq>` and append one event of `bigBytes`: a long write to kill inside (see io). */
  bigAt?: number
  bigBytes?: number
}

const arg = process.argv[2]
// node --test also runs this file as a test: without a config there is nothing to do.
if (arg !== undefined) {
  const config = JSON.parse(arg) as Config
  // The real fs calls; a write of the big event is announced (`writing <bytes>`, synchronously:
  // stdout is a pipe) just before the syscall, so the parent's kill lands inside it.
  const io: WriterIO = {
    writeSync: (fd, data) => {
      const length = typeof data === 'string' ? Buffer.byteLength(data) : data.length
      if (config.bigBytes !== undefined && length >= config.bigBytes) process.stdout.write(`writing ${length}\n`)
      return typeof data === 'string' ? fs.writeSync(fd, data) : fs.writeSync(fd, data)
    },
    fdatasync: (fd, callback) => fs.fdatasync(fd, callback),
    ftruncateSync: (fd, length) => fs.ftruncateSync(fd, length),
  }
  const journal = new Journal(withWriterIO({ root: config.root, fsync: config.fsync, batchMs: 5 }, io))
  const session = config.id ? await journal.resume(config.id) : await journal.create({ project: config.project, title: 'crash loop' })
  process.stdout.write(`ready ${session.id} ${session.nextSeq}\n`)

  const text = () => {
    // Mostly short lines, now and then a large one, so a kill can land inside a long write.
    const size = Math.random() < 0.1 ? 20_000 + Math.floor(Math.random() * 200_000) : Math.floor(Math.random() * 200)
    return 'é✓'.repeat(size >> 2) + 'x'.repeat(size & 3)
  }
  const appendOne = async () => {
    // The seq is taken synchronously: append methods enqueue before their first await.
    const seq = session.nextSeq
    const r = Math.random()
    if (r < 0.6) {
      await session.message({ id: `m${seq}`, role: seq % 2 ? 'user' : 'assistant', parts: [{ id: `p${seq}`, type: 'text', text: text() }] })
      return `${seq} message`
    }
    if (r < 0.8) {
      await session.append('x.crash.tick', { seq, pad: text() })
      return `${seq} x.crash.tick`
    }
    await session.title(`title ${seq}`)
    return `${seq} title`
  }
  let acks = 0
  const big = async () => {
    const seq = session.nextSeq
    process.stdout.write(`big ${seq}\n`)
    await session.append('x.crash.big', { seq, pad: 'b'.repeat(config.bigBytes ?? 0) })
    process.stdout.write(`ack ${seq} x.crash.big\n`)
  }
  const loop = async () => {
    for (;;) {
      process.stdout.write(`ack ${await appendOne()}\n`)
      if (++acks === config.bigAt) void big()
    }
  }
  for (let i = 0; i < config.inflight; i++) void loop()
}
