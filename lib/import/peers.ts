/**
 * The registry: which reader imports which tool. Adding a tool's peer is its module and one
 * line here; a tool without one is refused by name.
 */
import { UsageError } from '../core/errors.js'
import { claudeCode } from './claude-code.js'
import { codexPeer } from './codex.js'
import { geminiPeer } from './gemini.js'
import { PEER_TOOLS, type Peer, type PeerTool } from './peer.js'
import { opencodePeer } from './opencode.js'

const PEERS: ReadonlyMap<PeerTool, Peer> = new Map<PeerTool, Peer>([
  ['claude-code', claudeCode],
  ['codex', codexPeer],
  ['opencode', opencodePeer],
  ['gemini', geminiPeer],
])

/** The peer for `tool`; ERR_USAGE for a name that is not one of PEER_TOOLS or has no reader yet. */
export function peerFor(tool: unknown): Peer {
  const peer = PEERS.get(tool as PeerTool)
  if (peer !== undefined) return peer
  const known = PEER_TOOLS.filter(t => PEERS.has(t))
  throw new UsageError(`cannot import from ${JSON.stringify(tool)}: known tools are ${known.join(', ') || '(none yet)'}`)
}
