/** The process table, to stop everything a stack started (as tests/e2e does). */
import { execFileSync } from 'node:child_process'

/** Every process started under `pid`, from the process table. */
export function descendantsOf(pid: number): number[] {
  const table = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number))
  const found: number[] = []
  for (let parents = [pid]; parents.length > 0; ) {
    parents = table.filter(([, ppid]) => parents.includes(ppid ?? -1)).map(([child]) => child ?? -1)
    found.push(...parents)
  }
  return found
}

/** Whether a process of that id still exists. */
export const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
