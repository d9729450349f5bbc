#!/usr/bin/env node
/** The executable: real streams in, exit code out. The only place the process is exited. */
import { main } from './main.js'

const controller = new AbortController()
// First Ctrl-C stops `tail --follow` cleanly; a second one kills as usual.
process.once('SIGINT', () => controller.abort())
process.once('SIGTERM', () => controller.abort())
// A closed pipe (`| head`) is the reader's choice, not an error.
process.stdout.on('error', error => {
  if ((error as NodeJS.ErrnoException).code === 'EPIPE') process.exit(0)
  throw error
})

const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  isTTY: process.stdout.isTTY === true,
  stderrIsTTY: process.stderr.isTTY === true,
  signal: controller.signal,
})
// Exit once what was written has been handed to the OS (pipes may be asynchronous).
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)))
