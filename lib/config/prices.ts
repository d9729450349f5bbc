/**
 * The `prices` key of a config file: USD per million tokens, per model, kept by the user
 * (never fetched: a price that changes under a report would change last month's cost).
 * Checked here with the line and column of the first bad value.
 */
import type { Node } from 'jsonc-parser'
import { ConfigInvalidError } from '../core/errors.js'
import type { Locate } from './text.js'

export interface ModelPrice {
  /** USD per million tokens. `input` and `output` are required; a missing cache price leaves cache tokens unpriced. */
  input: number
  output: number
  cacheRead?: number
  cacheWrite?: number
}

const FIELDS = ['input', 'output', 'cacheRead', 'cacheWrite'] as const

export function readPrices(node: Node, path: string, at: Locate): Record<string, ModelPrice> {
  const fail = (where: Node, message: string): never => {
    const { line, column } = at(where.offset)
    throw new ConfigInvalidError(`${path}:${line}:${column}: ${message}`, { path, line, column, offset: where.offset })
  }
  if (node.type !== 'object') fail(node, 'prices must be an object of model -> { input, output, cacheRead?, cacheWrite? } (USD per million tokens)')
  const prices: Record<string, ModelPrice> = {}
  for (const property of node.children ?? []) {
    const [keyNode, valueNode] = property.children ?? []
    if (keyNode === undefined || valueNode === undefined) continue
    const model = String(keyNode.value)
    if (valueNode.type !== 'object') fail(valueNode, `prices["${model}"] must be an object { input, output, cacheRead?, cacheWrite? }`)
    const price: Record<string, number> = {}
    for (const field of valueNode.children ?? []) {
      const [k, v] = field.children ?? []
      if (k === undefined || v === undefined) continue
      const name = String(k.value)
      if (!(FIELDS as readonly string[]).includes(name)) fail(k, `prices["${model}"].${name} is not a price (known: ${FIELDS.join(', ')})`)
      if (v.type !== 'number' || !Number.isFinite(v.value) || (v.value as number) < 0) {
        fail(v, `prices["${model}"].${name} must be a non-negative number (USD per million tokens); got ${JSON.stringify(v.value)}`)
      }
      price[name] = v.value as number
    }
    for (const required of ['input', 'output']) if (!(required in price)) fail(valueNode, `prices["${model}"].${required} is required`)
    Object.defineProperty(prices, model, { value: price, enumerable: true, writable: true, configurable: true })
  }
  return prices
}
