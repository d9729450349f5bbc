/**
 * Exit codes by kind of failure (docs/cli.md), so a script can tell "no such session" from
 * "someone is writing it" without parsing messages. Everything else is 1.
 */
import type { ErrorKind } from '../index.js'

export const EXIT: Readonly<Record<ErrorKind, number>> = {
  failed: 1,
  usage: 2,
  'not-found': 3,
  locked: 4,
  damaged: 5,
}
