/** Local times with their offset in every human format (lib/cli/time.ts); --json keeps ISO UTC. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { localTime } from '../../lib/cli/time.js'
import { run } from './helpers.js'
import { journalIn } from '../sessions.js'

const ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV'

test('localTime: wall-clock time in the zone, with its offset, summer and winter', () => {
  assert.equal(localTime('2024-10-01T09:40:11.002Z', 'Europe/Paris'), '2024-10-01 11:40:11 +02:00')
  assert.equal(localTime('2024-12-01T09:40:11.999Z', 'Europe/Paris'), '2024-12-01 10:40:11 +01:00', 'seconds are cut, not rounded')
  assert.equal(localTime('2024-10-01T09:40:11Z', 'Asia/Kolkata'), '2024-10-01 15:10:11 +05:30')
  assert.equal(localTime('2024-10-01T02:00:00.000Z', 'America/New_York'), '2024-09-30 22:00:00 -04:00')
  assert.equal(localTime('2024-10-01T09:40:11.000+02:00', 'UTC'), '2024-10-01 07:40:11 +00:00')
  assert.equal(localTime('0099-01-01T00:00:00.000Z', 'UTC'), '0099-01-01 00:00:00 +00:00')
  assert.equal(localTime('yesterday\x1b[2J', 'UTC'), 'yesterday␛[2J', 'not a time: shown as sanitized text')
  assert.equal(localTime('2024-13-45T99:00:00Z', 'UTC'), '2024-13-45T99:00:00Z')
})

test('list, show and tail show local times with the offset; --json keeps the stored UTC', async t => {
  const { root } = journalIn(t)
  const log = [
    { seq: 0, ts: '2024-10-01T09:12:03.120Z', type: 'session', version: 1, id: ID, projectId: 'app-0123456789ab', projectPath: '/home/ana/app', title: 'Fix the login bug', parentId: null, host: null },
    { seq: 1, ts: '2024-10-01T09:12:09.500Z', type: 'message', id: 'm1', role: 'user', parts: [{ id: 'p1', type: 'text', text: 'The login form rejects valid passwords.' }] },
    { seq: 2, ts: '2024-10-01T09:40:11.002Z', type: 'title', title: 'Fix the login bug' },
  ].map(e => JSON.stringify(e)).join('\n') + '\n'
  assert.equal((await run(['import', '-'], { root, stdin: log })).code, 0)
  const timeZone = 'Europe/Paris'
  assert.equal((await run(['list'], { root, timeZone })).stdout,
    `${ID}\t/home/ana/app\tFix the login bug\t2024-10-01 11:12:03 +02:00\t2024-10-01 11:40:11 +02:00\t1\t\n`)
  assert.match((await run(['list'], { root, timeZone, isTTY: true })).stdout,
    new RegExp(`\\n${ID}  2024-10-01 11:40:11 \\+02:00  2024-10-01 11:12:03 \\+02:00  1 `))
  const show = (await run(['show', ID], { root, timeZone })).stdout
  assert.match(show, /\ncreated  2024-10-01 11:12:03 \+02:00   updated 2024-10-01 11:40:11 \+02:00\n/)
  assert.match(show, /\n── user · 2024-10-01 11:12:09 \+02:00 ──\n/)
  assert.equal((await run(['tail', ID], { root, timeZone: 'America/New_York' })).stdout, [
    '0  2024-10-01 05:12:03 -04:00  session  Fix the login bug in /home/ana/app',
    '1  2024-10-01 05:12:09 -04:00  message  user: The login form rejects valid passwords.',
    '2  2024-10-01 05:40:11 -04:00  title    Fix the login bug',
    '',
  ].join('\n'))
  assert.equal(JSON.parse((await run(['list', '--json'], { root, timeZone })).stdout)[0].updated, '2024-10-01T09:40:11.002Z')
  assert.equal(JSON.parse((await run(['show', ID, '--json'], { root, timeZone })).stdout).info.created, '2024-10-01T09:12:03.120Z')
  assert.equal(JSON.parse((await run(['tail', ID, '-n', '1', '--json'], { root, timeZone })).stdout).ts, '2024-10-01T09:40:11.002Z')
})
