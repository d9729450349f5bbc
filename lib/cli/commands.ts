/**
 * The registry: adding a command is one module and one line here. Order is the help's order.
 * Each entry is a name and a loader, so a command loads only its own module and what that
 * needs: `list` never loads the import command's globbing, the share client or search.
 */
import type { Command } from './command.js'

interface Entry {
  name: string
  load(): Promise<Command>
  /** delete, share and unshare take a session id first: main() resolves it as for show, tail, export and verify. */
  takesId?: boolean
}

const REGISTRY: readonly Entry[] = [
  { name: 'list', load: async () => (await import('./list.js')).listCommand },
  { name: 'search', load: async () => (await import('./search.js')).searchCommand },
  { name: 'show', load: async () => (await import('./show.js')).showCommand },
  { name: 'tail', load: async () => (await import('./tail.js')).tailCommand },
  { name: 'export', load: async () => (await import('./export.js')).exportCommand },
  { name: 'import', load: async () => (await import('./import.js')).importCommand },
  { name: 'verify', load: async () => (await import('./verify.js')).verifyCommand },
  { name: 'usage', load: async () => (await import('./usage.js')).usageCommand },
  { name: 'delete', load: async () => (await import('./delete.js')).deleteCommand, takesId: true },
  { name: 'share', load: async () => (await import('./share.js')).shareCommand, takesId: true },
  { name: 'unshare', load: async () => (await import('./share.js')).unshareCommand, takesId: true },
  { name: 'config', load: async () => (await import('./config.js')).configCommand },
  { name: 'serve', load: async () => (await import('./serve.js')).serveCommand },
  { name: 'mcp', load: async () => (await import('./mcp.js')).mcpCommand },
]

async function loaded(entry: Entry): Promise<Command> {
  const command = await entry.load()
  return entry.takesId ? { ...command, takesId: true } : command
}

/** The command called `name` (its module loaded now), or undefined. */
export async function findCommand(name: string): Promise<Command | undefined> {
  const entry = REGISTRY.find(e => e.name === name)
  return entry && loaded(entry)
}

/** Every command, loaded: for the general help, which shows each one's summary. */
export function loadCommands(): Promise<Command[]> {
  return Promise.all(REGISTRY.map(loaded))
}
