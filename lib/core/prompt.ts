/**
 * A prompt as a listing shows it: whitespace collapsed to single spaces, cut at about 200
 * characters on a word boundary. Kept short in the listing cache, whatever the host pasted.
 */
export const PROMPT_CHARS = 200

export function shortPrompt(text: string): string {
  // Only the head matters: never collapse a megabyte to show 200 characters of it.
  const head = text.slice(0, PROMPT_CHARS * 4).replace(/\s+/g, ' ').trim()
  const whole = text.length <= PROMPT_CHARS * 4 || text.slice(PROMPT_CHARS * 4).trim() === ''
  if (head.length <= PROMPT_CHARS && whole) return head
  const cut = head.slice(0, PROMPT_CHARS)
  const space = cut.lastIndexOf(' ')
  // A word longer than the whole budget is cut where it is; otherwise at the last space.
  return `${(space > PROMPT_CHARS / 2 ? cut.slice(0, space) : cut).trimEnd()}…`
}
