/** The registry: adding a command is one module and one line here. Order is the help's order. */
import type { Command } from './command.js'
import { deleteCommand } from './delete.js'
import { exportCommand } from './export.js'
import { importCommand } from './import.js'
import { listCommand } from './list.js'
import { searchCommand } from './search.js'
import { showCommand } from './show.js'
import { tailCommand } from './tail.js'
import { verifyCommand } from './verify.js'
import { configCommand } from './config.js'
import { serveCommand } from './serve.js'
import { shareCommand, unshareCommand } from './share.js'
import { usageCommand } from './usage.js'
import { mcpCommand } from './mcp.js'

/** delete, share and unshare take a session id first: main() resolves it as for show, tail, export and verify. */
const withId = (command: Command): Command => ({ ...command, takesId: true })

export const COMMANDS: readonly Command[] = [
  listCommand,
  searchCommand,
  showCommand,
  tailCommand,
  exportCommand,
  importCommand,
  verifyCommand,
  usageCommand,
  withId(deleteCommand),
  withId(shareCommand),
  withId(unshareCommand),
  configCommand,
  serveCommand,
  mcpCommand,
]

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find(c => c.name === name)
}
