/**
 * The real `opencode` binary (opencode-ai, pinned, installed into .cache/opencode by scripts/install-test-deps.sh) in an isolated home: its
 * own HOME and XDG folders under `dir`, sharing, auto-update and model fetching off, and one
 * provider, `mock`, pointing at the scripted model (opencode-mock.ts). OpenCode 1.18 bundles
 * `@ai-sdk/openai-compatible`, so nothing is installed and nothing leaves 127.0.0.1.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { repoRoot } from '../helpers.js'
import { MOCK_MODEL_ID, startMockModel, type MockModel } from './opencode-mock.js'

export const OPENCODE_BIN = path.join(repoRoot, '.cache', 'opencode', 'node_modules', '.bin', 'opencode')

/** Fails (never skips) when the binary is missing: scripts/install-test-deps.sh installs the pinned version. */
export function assertOpenCode(): void {
  if (!fs.existsSync(OPENCODE_BIN)) {
    throw new Error(`${OPENCODE_BIN} is missing: run \`bash scripts/install-test-deps.sh\` (it installs opencode-ai, pinned; \`npm run test:all\` and .ci/run run it)`)
  }
}

export interface OpenCodeHome {
  dir: string
  /** The project folder commands run in. */
  project: string
  /** The data folder: opencode.db (1.18), storage/ (1.1.x). */
  data: string
  mock: MockModel
  run(args: string[]): Promise<{ code: number, stdout: string, stderr: string }>
  /** Runs, and throws with stderr when the exit code is not 0. */
  ok(args: string[]): Promise<string>
  close(): Promise<void>
}

export async function openCodeHome(dir: string): Promise<OpenCodeHome> {
  assertOpenCode()
  const folders = Object.fromEntries(['home', 'data', 'config', 'cache', 'state', 'tmp', 'project'].map(name => [name, path.join(dir, name)]))
  for (const folder of Object.values(folders)) fs.mkdirSync(folder!, { recursive: true })
  const mock = await startMockModel()
  const config = {
    $schema: 'https://opencode.ai/config.json',
    autoupdate: false,
    share: 'disabled',
    model: `mock/${MOCK_MODEL_ID}`,
    small_model: `mock/${MOCK_MODEL_ID}`,
    provider: {
      mock: {
        npm: '@ai-sdk/openai-compatible',
        name: 'Scripted mock',
        options: { baseURL: mock.url, apiKey: 'not-a-key' },
        models: {
          [MOCK_MODEL_ID]: {
            name: 'Scripted 1',
            cost: { input: 1, output: 4, cache_read: 0.1, cache_write: 1.25 },
            limit: { context: 100000, output: 4000 },
            tool_call: true,
            reasoning: true,
          },
        },
      },
    },
  }
  fs.mkdirSync(path.join(folders.config!, 'opencode'), { recursive: true })
  fs.writeFileSync(path.join(folders.config!, 'opencode', 'opencode.json'), JSON.stringify(config, null, 2))
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: folders.home!,
    XDG_DATA_HOME: folders.data!,
    XDG_CONFIG_HOME: folders.config!,
    XDG_CACHE_HOME: folders.cache!,
    XDG_STATE_HOME: folders.state!,
    TMPDIR: folders.tmp!,
    OPENCODE_DISABLE_AUTOUPDATE: '1',
    OPENCODE_DISABLE_MODELS_FETCH: '1',
    OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
    OPENCODE_DISABLE_DEFAULT_PLUGINS: '1',
    OPENCODE_DISABLE_SHARE: '1',
  }
  const run = (args: string[]) => new Promise<{ code: number, stdout: string, stderr: string }>((resolve, reject) => {
    const child = spawn(OPENCODE_BIN, args, { cwd: folders.project!, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString('utf8') })
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString('utf8') })
    child.on('error', reject)
    child.on('close', code => resolve({ code: code ?? -1, stdout, stderr }))
  })
  return {
    dir,
    project: folders.project!,
    data: path.join(folders.data!, 'opencode'),
    mock,
    run,
    async ok(args) {
      const result = await run(args)
      if (result.code !== 0) throw new Error(`opencode ${args.join(' ')} exited ${result.code}: ${result.stderr}`)
      return result.stdout
    },
    close: () => mock.close(),
  }
}

/**
 * A conversation recorded by the real binary: one turn with reasoning and a bash call, then
 * (continued) one with a subagent `task` call, which makes a child session. Resolves to the
 * root session's id.
 */
export async function recordConversation(home: OpenCodeHome): Promise<string> {
  await home.ok(['run', 'Run [[bash]] to print a line'])
  await home.ok(['run', '--continue', 'Now use a [[task]] subagent'])
  const list = JSON.parse(await home.ok(['session', 'list', '--format', 'json'])) as Array<{ id: string }>
  if (list.length !== 1) throw new Error(`expected one root session, opencode lists ${list.length}`)
  return list[0]!.id
}

/**
 * `node dist/test/import/opencode-run.js DIR`: records the conversation into DIR (its
 * opencode.db under DIR/data/opencode) and writes `opencode export` of each session beside it,
 * to look at what the tests read. Everything in it is the scripted model's.
 */
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = path.resolve(process.argv[2] ?? 'opencode-sample')
  const home = await openCodeHome(dir)
  try {
    const root = await recordConversation(home)
    const rows = JSON.parse(await home.ok(['export', root])) as { messages: Array<{ parts: Array<{ state?: { metadata?: { sessionId?: string } } }> }> }
    const children = rows.messages.flatMap(m => m.parts.map(p => p.state?.metadata?.sessionId)).filter((id): id is string => id !== undefined)
    for (const id of [root, ...children]) {
      fs.writeFileSync(path.join(dir, `export-${id}.json`), await home.ok(['export', id]))
      process.stdout.write(`${path.join(dir, `export-${id}.json`)}\n`)
    }
    process.stdout.write(`${path.join(home.data, 'opencode.db')}\n`)
  } finally {
    await home.close()
  }
}
