import { randomUUID } from 'node:crypto'
import type { FaultAction, FaultRule, InstalledFault, ListedFault } from './fault-schema.js'
import { LIMITS } from './limits.js'

export type { InstalledFault, ListedFault } from './fault-schema.js'

/** A request as the rules see it; IAM's routes have no project or cluster in their path. */
export interface FaultTarget { operation: string, method: string, projectId: string | undefined, clusterId: string | undefined }

/** What a rule does to a request: its action, with the rule's id. */
export interface TakenFault { rule: string, action: FaultAction }

/** How a delay waits: resolves after `ms`, or early (resolving or rejecting) once `signal` aborts. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<unknown>

/** The most rules kept at once; more are refused. */
export const MAX_FAULTS = LIMITS.faultRules.value

/** Why a rule was not added. */
export type AddRefusal = 'full' | 'duplicate'

/**
 * Fault rules, tried in list order. Every rule whose `match` fits a request counts it (`hits`);
 * the first one that is active acts on it: past its `after`, with `times` left, and its
 * `probability` drawn. A used-up rule stays listed until it is deleted.
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

  /** Adds a rule at the end; its own `id`, or a random one. */
  add (rule: FaultRule): InstalledFault | AddRefusal {
    if (this.#rules.length >= MAX_FAULTS) return 'full'
    const id = rule.id ?? randomUUID()
    if (this.#rules.some((installed) => installed.id === id)) return 'duplicate'
    const installed: InstalledFault = { ...structuredClone(rule), id, hits: 0, acted: 0 }
    this.#rules.push(installed)
    return installed
  }

  list (): ListedFault[] {
    return this.#rules.map((rule) => ({ ...structuredClone(rule), remaining: rule.times === undefined ? null : rule.times - rule.acted }))
  }

  /** Deletes a rule; the requests its delay holds go on at once. */
  remove (id: string): boolean {
    this.#endDelays(id)
    const before = this.#rules.length
    this.#rules = this.#rules.filter((rule) => rule.id !== id)
    return this.#rules.length < before
  }

  /** Deletes the rules that name project `projectId` (a scoped reset). */
  removeProject (projectId: string): void {
    for (const rule of this.#rules) if (rule.match?.project_id === projectId) this.remove(rule.id)
  }

  /**
   * Replaces every rule (reset, or the fixture's faults at start); every delay ends. Fixture
   * rules without an id are named by their position, `fixture-1`, `fixture-2`, …, the same after
   * every reset.
   */
  replace (rules: readonly FaultRule[]): void {
    this.endDelays()
    this.#rules = []
    rules.forEach((rule, i) => this.add({ id: `fixture-${i + 1}`, ...rule }))
  }

  /** Puts back, at the end, the fixture rules that name `projectId` (a scoped reset). */
  restoreProject (fixtureRules: readonly FaultRule[], projectId: string): void {
    fixtureRules.forEach((rule, i) => {
      if (rule.match?.project_id !== projectId) return
      const id = rule.id ?? `fixture-${i + 1}`
      if (this.#rules.some((installed) => installed.id === id)) return
      this.#rules.push({ ...structuredClone(rule), id, hits: 0, acted: 0 })
    })
  }

  /** Ends every delay now (the emulator is closing, or the rules are replaced). */
  endDelays (): void {
    for (const id of [...this.#waiting.keys()]) this.#endDelays(id)
  }

  #endDelays (id: string): void {
    for (const controller of this.#waiting.get(id) ?? []) controller.abort()
    this.#waiting.delete(id)
  }

  /**
   * Waits out a rule's `delay_ms`; answers false when it ended early because the rule went (the
   * request then goes on normally). A used-up rule's wait runs its course.
   */
  async delay (rule: string, ms: number, sleep: Sleep, gone: AbortSignal): Promise<boolean> {
    const controller = new AbortController()
    let waits = this.#waiting.get(rule)
    if (waits === undefined) this.#waiting.set(rule, waits = new Set())
    waits.add(controller)
    try {
      // Ends early too once the client is gone (the caller sees `gone`).
      await sleep(ms, AbortSignal.any([controller.signal, gone]))
    } catch {
      // Aborted: told below.
    } finally {
      waits.delete(controller)
      if (waits.size === 0 && this.#waiting.get(rule) === waits) this.#waiting.delete(rule)
    }
    return !controller.signal.aborted
  }

  /** The rule that acts on this request, if any; counts the request in every rule it matches. */
  take (target: FaultTarget): TakenFault | undefined {
    let taken: TakenFault | undefined
    for (const rule of this.#rules) {
      const match = rule.match
      if (match !== undefined && ((match.operation !== undefined && match.operation !== target.operation) ||
        (match.method !== undefined && match.method !== target.method) ||
        (match.project_id !== undefined && match.project_id !== target.projectId) ||
        (match.cluster_id !== undefined && match.cluster_id !== target.clusterId))) continue
      rule.hits++
      if (taken !== undefined || rule.hits <= (rule.after ?? 0)) continue
      if (rule.times !== undefined && rule.acted >= rule.times) continue
      if (rule.probability !== undefined && this.#random() >= rule.probability) continue
      rule.acted++
      taken = { rule: rule.id, action: rule.action }
    }
    return taken
  }
}
