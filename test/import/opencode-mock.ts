/**
 * A scripted OpenAI-compatible model on 127.0.0.1, so the real `opencode` binary can run a
 * conversation offline (fixtures, the round trip). It answers `POST …/chat/completions`
 * (streamed as server-sent events, the way the chat-completions API streams) and `GET …/models`.
 *
 * The script reads the request: a title request gets a title; otherwise the last user
 * prompt picks the turn. A prompt containing `[[bash]]` or `[[task]]` is answered first with
 * that tool call (with reasoning before it), then, once the tool's result is in the request,
 * with a final text. Anything else gets one text reply.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ToolCallReply { tool: string, args: Record<string, unknown> }
export interface Reply {
  reasoning?: string
  text?: string
  call?: ToolCallReply
  usage: { prompt: number, completion: number, cached?: number, reasoning?: number }
}

interface ChatMessage { role: string, content?: unknown, tool_calls?: unknown[] }
export interface ChatRequest { model?: string, messages?: ChatMessage[], stream?: boolean, tools?: unknown[] }

export interface MockModel {
  /** The base URL for the provider's `options.baseURL`. */
  url: string
  /** Every chat request received, parsed. */
  requests: ChatRequest[]
  close(): Promise<void>
}

export const MOCK_MODEL_ID = 'scripted-1'

function textOf(content: unknown): string {
  if (typeof content === 'string') return content
  if (Array.isArray(content)) return content.map(c => (c && typeof c === 'object' && typeof (c as { text?: unknown }).text === 'string' ? (c as { text: string }).text : '')).join('')
  return ''
}

/** The default script (see the module comment). */
export function scriptedReply(request: ChatRequest): Reply {
  const messages = request.messages ?? []
  const system = messages.filter(m => m.role === 'system').map(m => textOf(m.content)).join('\n')
  if (/title/i.test(system) && !request.tools?.length) {
    return { text: 'Greeting the scripted model', usage: { prompt: 40, completion: 5 } }
  }
  let lastUser = -1
  messages.forEach((m, i) => { if (m.role === 'user') lastUser = i })
  const prompt = lastUser >= 0 ? textOf(messages[lastUser]!.content) : ''
  const answered = messages.slice(lastUser + 1).some(m => m.role === 'tool')
  if (prompt.includes('[[bash]]') && !answered) {
    return {
      reasoning: 'The user wants a shell command run; echo will do.',
      call: { tool: 'bash', args: { command: 'echo scripted-output', description: 'Print a scripted line' } },
      usage: { prompt: 1200, completion: 30, cached: 200, reasoning: 12 },
    }
  }
  if (prompt.includes('[[task]]') && !answered) {
    return {
      call: { tool: 'task', args: { description: 'Look around', prompt: 'List what you see in one line.', subagent_type: 'general' } },
      usage: { prompt: 1300, completion: 25 },
    }
  }
  if (answered) return { text: 'The tool ran; all done.', usage: { prompt: 1500, completion: 9, cached: 1000 } }
  return { text: `Scripted reply to: ${prompt.slice(0, 60)}`, usage: { prompt: 900, completion: 12 } }
}

/** The SSE chunks of one streamed reply. */
function chunks(reply: Reply, model: string, n: number): unknown[] {
  const base = { id: `chatcmpl-${n}`, object: 'chat.completion.chunk', created: 1767225600 + n, model }
  const choice = (delta: Record<string, unknown>, finish: string | null = null) => ({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] })
  const out: unknown[] = [choice({ role: 'assistant', content: '' })]
  if (reply.reasoning) out.push(choice({ reasoning_content: reply.reasoning }))
  if (reply.text) {
    // Two pieces: the client must join streamed deltas.
    const half = Math.ceil(reply.text.length / 2)
    out.push(choice({ content: reply.text.slice(0, half) }), choice({ content: reply.text.slice(half) }))
  }
  if (reply.call) {
    const args = JSON.stringify(reply.call.args)
    out.push(choice({ tool_calls: [{ index: 0, id: `call_${n}`, type: 'function', function: { name: reply.call.tool, arguments: '' } }] }))
    out.push(choice({ tool_calls: [{ index: 0, function: { arguments: args } }] }))
  }
  out.push(choice({}, reply.call ? 'tool_calls' : 'stop'))
  const u = reply.usage
  out.push({
    ...base,
    choices: [],
    usage: {
      prompt_tokens: u.prompt,
      completion_tokens: u.completion,
      total_tokens: u.prompt + u.completion,
      prompt_tokens_details: { cached_tokens: u.cached ?? 0 },
      completion_tokens_details: { reasoning_tokens: u.reasoning ?? 0 },
    },
  })
  return out
}

export async function startMockModel(script: (request: ChatRequest) => Reply = scriptedReply): Promise<MockModel> {
  const requests: ChatRequest[] = []
  const server = http.createServer((req, res) => {
    const body: Buffer[] = []
    req.on('data', (c: Buffer) => body.push(c))
    req.on('end', () => {
      const url = req.url ?? ''
      if (req.method === 'GET' && url.endsWith('/models')) {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ object: 'list', data: [{ id: MOCK_MODEL_ID, object: 'model', created: 1767225600, owned_by: 'mock' }] }))
        return
      }
      if (req.method !== 'POST' || !url.endsWith('/chat/completions')) {
        res.writeHead(404, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ error: { message: `no route ${req.method} ${url}` } }))
        return
      }
      let request: ChatRequest
      try {
        request = JSON.parse(Buffer.concat(body).toString('utf8')) as ChatRequest
      } catch {
        res.writeHead(400).end()
        return
      }
      requests.push(request)
      const reply = script(request)
      const model = request.model ?? MOCK_MODEL_ID
      if (request.stream === false) {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({
          id: `chatcmpl-${requests.length}`, object: 'chat.completion', created: 1767225600, model,
          choices: [{ index: 0, message: { role: 'assistant', content: reply.text ?? '' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: reply.usage.prompt, completion_tokens: reply.usage.completion, total_tokens: reply.usage.prompt + reply.usage.completion },
        }))
        return
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' })
      for (const chunk of chunks(reply, model, requests.length)) res.write(`data: ${JSON.stringify(chunk)}\n\n`)
      res.end('data: [DONE]\n\n')
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise<void>(resolve => { server.closeAllConnections(); server.close(() => resolve()) }),
  }
}
