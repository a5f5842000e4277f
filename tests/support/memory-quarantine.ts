import type { Quarantine, QuarantinedCallback } from '../../lib/durability/quarantine'
import { summarise } from '../../lib/durability/quarantine'

/** A quarantine that keeps entries in memory, or fails every keep when given an error. */
export function memoryQuarantine(failure?: Error): Quarantine & { kept: QuarantinedCallback[] } {
  const kept: QuarantinedCallback[] = []
  return {
    kept,
    async keep(entry) {
      if (failure) throw failure
      const at = kept.findIndex((k) => k.id === entry.id)
      if (at >= 0) kept.splice(at, 1)
      kept.push(entry)
    },
    list: async () => kept.map(summarise),
    get: async (id) => kept.find((entry) => entry.id === id),
    async remove(id) {
      const at = kept.findIndex((entry) => entry.id === id)
      if (at >= 0) kept.splice(at, 1)
    },
  }
}
