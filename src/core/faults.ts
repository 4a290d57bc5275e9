import { randomUUID } from 'node:crypto'
import type { FaultAction, FaultRule } from './fault-schema.js'

/** An installed rule: as sent, with its id and what is left of `times`. */
export interface InstalledFault extends FaultRule {
  id: string
  /** Matches applied so far. */
  hits: number
}

export interface FaultTarget { operation: string, method: string, projectId: string, clusterId: string }

/** The most rules kept at once; more are refused. */
export const MAX_FAULTS = 1000

/**
 * Fault rules: the first installed rule that matches a request, and passes its probability,
 * decides what happens to it. A rule with `times` is removed once used up.
 */
export class FaultRules {
  #rules: InstalledFault[] = []
  readonly #random: () => number

  constructor (random: () => number = Math.random) {
    this.#random = random
  }

  get empty (): boolean { return this.#rules.length === 0 }

  add (rule: FaultRule): InstalledFault | undefined {
    if (this.#rules.length >= MAX_FAULTS) return undefined
    const installed: InstalledFault = { id: randomUUID(), ...structuredClone(rule), hits: 0 }
    this.#rules.push(installed)
    return installed
  }

  list (): InstalledFault[] {
    return this.#rules.map((rule) => structuredClone(rule))
  }

  remove (id: string): boolean {
    const before = this.#rules.length
    this.#rules = this.#rules.filter((rule) => rule.id !== id)
    return this.#rules.length < before
  }

  /** Replaces every rule (reset, or the fixture's faults at start). */
  replace (rules: readonly FaultRule[]): void {
    this.#rules = []
    for (const rule of rules) this.add(rule)
  }

  /** The action for this request, if a rule applies; counts the use. */
  take (target: FaultTarget): (FaultAction & { rule: string }) | undefined {
    for (const rule of this.#rules) {
      const match = rule.match ?? {}
      if ((match.operation !== undefined && match.operation !== target.operation) ||
        (match.method !== undefined && match.method !== target.method) ||
        (match.project_id !== undefined && match.project_id !== target.projectId) ||
        (match.cluster_id !== undefined && match.cluster_id !== target.clusterId)) continue
      if (rule.probability !== undefined && this.#random() >= rule.probability) continue
      rule.hits++
      if (rule.times !== undefined && rule.hits >= rule.times) this.remove(rule.id)
      return { ...rule.action, rule: rule.id }
    }
    return undefined
  }
}
