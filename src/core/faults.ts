import { randomUUID } from 'node:crypto'
import type { FaultAction, FaultRule } from './fault-schema.js'

/** An installed rule: as sent, with its id and what is left of `times`. */
export interface InstalledFault extends FaultRule {
  id: string
  /** Matches applied so far. */
  hits: number
}

export interface FaultTarget { operation: string, method: string, projectId: string, clusterId: string }

/** What a matching rule does to a request: its action, with the rule's id. */
export type TakenFault = FaultAction & { rule: string }

/** How a delay waits: resolves after `ms`, or early (resolving or rejecting) once `signal` aborts. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<unknown>

/** The most rules kept at once; more are refused. */
export const MAX_FAULTS = 1000

/**
 * Fault rules: the first installed rule that matches a request, and passes its probability,
 * decides what happens to it. A rule with `times` is removed once used up.
 */
export class FaultRules {
  #rules: InstalledFault[] = []
  readonly #random: () => number
  /**
   * The delays under way, by rule: ended when their rule is deleted or replaced, or when the
   * emulator closes, so that no request sleeps on a rule that no longer exists.
   */
  readonly #waiting = new Map<string, Set<AbortController>>()

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

  /** Deletes a rule; the requests its delay holds go on at once. */
  remove (id: string): boolean {
    this.#endDelays(id)
    return this.#drop(id)
  }

  /** Replaces every rule (reset, or the fixture's faults at start); every delay ends. */
  replace (rules: readonly FaultRule[]): void {
    this.endDelays()
    this.#rules = []
    for (const rule of rules) this.add(rule)
  }

  /** Ends every delay now (the emulator is closing, or the rules are replaced). */
  endDelays (): void {
    for (const id of [...this.#waiting.keys()]) this.#endDelays(id)
  }

  #endDelays (id: string): void {
    for (const controller of this.#waiting.get(id) ?? []) controller.abort()
    this.#waiting.delete(id)
  }

  /** Carries out a delay rule's wait; it ends early when the rule goes (a used-up rule's wait runs its course). */
  async delay (fault: TakenFault & { delay_ms: number }, sleep: Sleep): Promise<void> {
    const controller = new AbortController()
    let waits = this.#waiting.get(fault.rule)
    if (waits === undefined) this.#waiting.set(fault.rule, waits = new Set())
    waits.add(controller)
    try {
      await sleep(fault.delay_ms, controller.signal)
    } catch {
      // Aborted: the request goes on at once.
    } finally {
      waits.delete(controller)
      if (waits.size === 0 && this.#waiting.get(fault.rule) === waits) this.#waiting.delete(fault.rule)
    }
  }

  #drop (id: string): boolean {
    const before = this.#rules.length
    this.#rules = this.#rules.filter((rule) => rule.id !== id)
    return this.#rules.length < before
  }

  /** The action for this request, if a rule applies; counts the use. */
  take (target: FaultTarget): TakenFault | undefined {
    for (const rule of this.#rules) {
      const match = rule.match ?? {}
      if ((match.operation !== undefined && match.operation !== target.operation) ||
        (match.method !== undefined && match.method !== target.method) ||
        (match.project_id !== undefined && match.project_id !== target.projectId) ||
        (match.cluster_id !== undefined && match.cluster_id !== target.clusterId)) continue
      if (rule.probability !== undefined && this.#random() >= rule.probability) continue
      rule.hits++
      if (rule.times !== undefined && rule.hits >= rule.times) this.#drop(rule.id)
      return { ...rule.action, rule: rule.id }
    }
    return undefined
  }
}
