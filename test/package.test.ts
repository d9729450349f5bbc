import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { repoRoot } from './helpers.js'

const read = (name: string) => JSON.parse(fs.readFileSync(path.join(repoRoot, name), 'utf8')) as Record<string, unknown>

// `npm install` rewrites the lock's root entry when it disagrees with package.json, which
// leaves a fresh clone with a modified tracked file: keep them equal.
test('package-lock.json describes package.json as it is (npm install on a fresh clone changes nothing)', () => {
  const pkg = read('package.json')
  const root = (read('package-lock.json').packages as Record<string, Record<string, unknown>>)['']!
  // npm writes bin paths without the leading './'.
  const bare = (bin: unknown) => Object.fromEntries(Object.entries(bin as Record<string, string>).map(([k, v]) => [k, v.replace(/^\.\//, '')]))
  for (const key of ['name', 'version', 'license', 'dependencies', 'devDependencies', 'optionalDependencies', 'engines']) {
    assert.deepEqual(root[key], pkg[key], `package-lock.json packages[""].${key}`)
  }
  assert.deepEqual(root.bin, bare(pkg.bin), 'package-lock.json packages[""].bin')
})

test('every path the package exports or runs exists in a build', () => {
  const pkg = read('package.json') as { exports: Record<string, string | Record<string, string>>, bin: Record<string, string> }
  const targets = [...Object.values(pkg.exports).flatMap(v => (typeof v === 'string' ? [v] : Object.values(v))), ...Object.values(pkg.bin)]
  for (const target of targets) assert.ok(fs.existsSync(path.join(repoRoot, target)), target)
})

test("CI runs the README's test command, and that command installs what the tests need", () => {
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8')
  const quickStart = /## Quick start\n+```sh\n([\s\S]*?)```/.exec(readme)?.[1]?.trim().split('\n') ?? []
  assert.equal(quickStart.length, 2, 'two commands: the demo and the tests')
  const testCommand = quickStart[1]!.split('#')[0]!.trim()
  const ci = fs.readFileSync(path.join(repoRoot, '.ci', 'run'), 'utf8')
  assert.ok(ci.split('\n').some(line => line.trim() === testCommand), `.ci/run runs ${testCommand}`)
  const scripts = (read('package.json') as { scripts: Record<string, string> }).scripts
  assert.match(scripts['test:all']!, /install-test-deps\.sh && npm test$/)
})
