import type { Command } from './command.js'

export const mcpCommand: Command = {
  name: 'mcp',
  summary: 'Serve the journal to AI agents over the Model Context Protocol (stdio)',
  usage: '[--no-redact]',
  description: [
    'Runs a read-only MCP server on stdin/stdout for an agent host (Claude Code, Codex, OpenCode,',
    'Gemini CLI) to start: tools list_sessions, read_session, export_session, session_usage and the',
    'prompt summarize-recent-work. Secrets are redacted in everything it returns unless',
    '--no-redact is given. Runs until the client closes stdin. See docs/mcp.md.',
  ].join('\n'),
  options: {
    'no-redact': { type: 'boolean', description: 'Return secrets as they are in the logs (redacted by default)' },
  },
  args: { min: 0, max: 0 },
  async run(ctx) {
    // Loaded only here: no other command pays for the MCP SDK.
    const { serveMcp } = await import('../mcp/server.js')
    const { stdin, stdout, signal } = ctx.io
    await serveMcp(ctx.journal, { stdin, stdout, ...(signal ? { signal } : {}) }, { redact: !ctx.flag('no-redact') })
    return 0
  },
}
