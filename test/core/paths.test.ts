import { test } from 'node:test'
import assert from 'node:assert/strict'
import { codeOf } from '../helpers.js'
import os from 'node:os'
import path from 'node:path'
import { assertProjectId, isProjectId, Layout, projectIdOf, resolveRoot } from '../../lib/core/paths.js'
import { newId } from '../../lib/core/ids.js'


test('resolveRoot: the option wins over the environment, and is made absolute', () => {
  const env = { SESSION_JOURNAL_HOME: '/from/env' }
  assert.equal(resolveRoot('/from/option', env), '/from/option')
  assert.equal(resolveRoot('relative/root', env), path.resolve('relative/root'))
})

test('resolveRoot: $SESSION_JOURNAL_HOME when there is no option, made absolute', () => {
  assert.equal(resolveRoot(undefined, { SESSION_JOURNAL_HOME: '/from/env' }), '/from/env')
  assert.equal(resolveRoot(undefined, { SESSION_JOURNAL_HOME: 'env/rel' }), path.resolve('env/rel'))
  assert.equal(resolveRoot('', { SESSION_JOURNAL_HOME: '/from/env' }), '/from/env')
})

test('resolveRoot: the platform data folder otherwise, named session-journal', () => {
  const root = resolveRoot(undefined, {})
  assert.ok(path.isAbsolute(root), root)
  assert.equal(path.basename(root), 'session-journal')
  assert.equal(resolveRoot(undefined, { SESSION_JOURNAL_HOME: '' }), root)
})

test('projectIdOf: readable slug of the folder name plus 12 hex digits', () => {
  const id = projectIdOf('/home/ann/My Project')
  assert.match(id, /^my-project-[0-9a-f]{12}$/)
  assert.equal(isProjectId(id), true)
  assert.match(projectIdOf('/srv/Release_2024.v2'), /^release_2024\.v2-[0-9a-f]{12}$/)
  assert.match(projectIdOf('/'), /^root-[0-9a-f]{12}$/)
  assert.match(projectIdOf('/tmp/...'), /^root-[0-9a-f]{12}$/)
  assert.match(projectIdOf('/tmp/' + 'x'.repeat(200)), new RegExp(`^${'x'.repeat(40)}-[0-9a-f]{12}$`))
})

test('projectIdOf: the same folder gives the same id, spelled any way', () => {
  const base = path.join(os.tmpdir(), 'proj')
  const id = projectIdOf(base)
  assert.equal(projectIdOf(base), id)
  assert.equal(projectIdOf(`${base}/`), id)
  assert.equal(projectIdOf(`${base}/sub/..`), id)
  assert.equal(projectIdOf(`${base}/./`), id)
  assert.equal(projectIdOf(path.relative(process.cwd(), base)), id)
})

test('projectIdOf: different folders never share an id, even with similar names', () => {
  const paths = ['/a/spec-rl', '/a/spec/rl', '/a/spec_rl', '/b/spec-rl', '/a/Spec-rl', '/a/spec-rl/x', '/a/rl', '/a/spec rl']
  const ids = paths.map(projectIdOf)
  assert.equal(new Set(ids).size, paths.length, ids.join(' '))
  // Same slug, different folders: only the hash tells them apart, and it does.
  assert.equal(projectIdOf('/a/spec-rl').slice(0, -13), projectIdOf('/b/spec-rl').slice(0, -13))
})

test('projectIdOf: every id it makes is one Layout accepts', () => {
  const names = ['İstanbul', '日本語', '-._', 'a'.repeat(300), 'ﬁle', '🚀 launch', 'UPPER', 'with\nnewline', '.hidden', 'tail-']
  for (const name of names) {
    const id = projectIdOf(path.join('/p', name))
    assert.equal(isProjectId(id), true, `${JSON.stringify(name)} -> ${id}`)
    assert.equal(assertProjectId(id), id)
  }
})

test('Layout: paths under the root for valid ids', () => {
  const layout = new Layout('/r')
  const pid = projectIdOf('/work/app')
  const sid = newId()
  assert.equal(layout.projectsDir, '/r/projects')
  assert.equal(layout.projectDir(pid), `/r/projects/${pid}`)
  assert.equal(layout.projectFile(pid), `/r/projects/${pid}/project.json`)
  assert.equal(layout.indexFile(pid), `/r/projects/${pid}/index.json`)
  assert.equal(layout.sessionsDir(pid), `/r/projects/${pid}/sessions`)
  assert.equal(layout.sessionFile(pid, sid), `/r/projects/${pid}/sessions/${sid}.ndjson`)
})

test('Layout: refuses bad project and session ids before building a path', () => {
  const layout = new Layout('/r')
  const pid = projectIdOf('/work/app')
  for (const bad of ['..', '../x-0123456789ab', 'app', 'App-0123456789ab', 'app-0123456789AB', 'a/b-0123456789ab', '', 'app-0123456789ab\0']) {
    assert.equal(codeOf(() => layout.projectDir(bad)), 'ERR_INVALID_ID', JSON.stringify(bad))
    assert.equal(codeOf(() => layout.sessionFile(bad, newId())), 'ERR_INVALID_ID', JSON.stringify(bad))
  }
  for (const bad of ['../../etc/passwd', newId().toLowerCase(), `${newId()}x`, '']) {
    assert.equal(codeOf(() => layout.sessionFile(pid, bad)), 'ERR_INVALID_ID', JSON.stringify(bad))
  }
})

test('projectIdOf drops accents instead of splitting words on them', () => {
  assert.match(projectIdOf('/home/ana/Été-2026'), /^ete-2026-[0-9a-f]{12}$/)
  assert.match(projectIdOf('/srv/Crème Brûlée'), /^creme-brulee-[0-9a-f]{12}$/)
})

test('Layout: the claim file of an id, the staging name of an import, and only those names read back as staging', () => {
  const layout = new Layout('/r')
  const id = newId()
  const p = projectIdOf('/w')
  assert.equal(layout.claimFile(id), `/r/ids/${id}`)
  assert.equal(layout.stagingFile(p, id), `/r/projects/${p}/sessions/.${id}.ndjson.importing`)
  assert.equal(layout.stagingIdOf(path.basename(layout.stagingFile(p, id))), id)
  for (const name of [`${id}.ndjson`, `.${id}.ndjson`, `.${id}.ndjson.importing.x`, `.${id.toLowerCase()}.ndjson.importing`, '.x.ndjson.importing']) {
    assert.equal(layout.stagingIdOf(name), undefined, name)
  }
  assert.equal(codeOf(() => layout.claimFile('../x')), 'ERR_INVALID_ID')
  assert.equal(codeOf(() => layout.stagingFile(p, '../x')), 'ERR_INVALID_ID')
})
