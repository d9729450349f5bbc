/** Runs one read() in a fresh process and reports its peak RSS and the folded result's size. */
import { Journal } from '../lib/index.js'

const [root, id] = process.argv.slice(2) as [string, string]
const history = await new Journal({ root }).read(id)
const maxRssMB = process.resourceUsage().maxRSS / 1024
const resultMB = Buffer.byteLength(JSON.stringify({ info: history.info, messages: history.messages })) / 1048576
process.stdout.write(JSON.stringify({ maxRssMB, resultMB }))
