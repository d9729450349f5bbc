/** Price-table cost: only for the tokens of events the host gave no cost for (`unpriced`). */
import type { UsageTotals } from '../core/types.js'
import type { ModelPrice } from '../config/prices.js'

/**
 * USD for `t`'s unpriced tokens at `model`'s price, 0 when there are none, undefined when the
 * table cannot say (no price for the model, or cache tokens without a cache price): unknown is
 * never shown as 0.
 */
export function priceOf(prices: Record<string, ModelPrice>, model: string, t: UsageTotals): number | undefined {
  const u = t.unpriced
  if (u.events === 0) return 0
  const price = Object.hasOwn(prices, model) ? prices[model] : undefined
  if (price === undefined) return undefined
  if ((u.cacheRead > 0 && price.cacheRead === undefined) || (u.cacheWrite > 0 && price.cacheWrite === undefined)) return undefined
  return (u.input * price.input + u.output * price.output + u.cacheRead * (price.cacheRead ?? 0) + u.cacheWrite * (price.cacheWrite ?? 0)) / 1e6
}
