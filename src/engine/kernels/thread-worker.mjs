// A worker thread of src/engine/kernels/threads.ts (plain JavaScript: workers start without the TypeScript
// loader). It instantiates the kernel module on the shared memory and, for every job the main thread
// posts in the control block, claims chunks of the product with the module's `work` until none are left.
import { workerData } from 'node:worker_threads'

const SEQ = 0, ASLEEP = 12
/** Polls of the job number before sleeping: within a training step the next product follows in
 *  microseconds, and a futex wake-up costs more than that; between steps the worker sleeps. */
const SPINS = 30000

const { module, memory, ctl } = workerData
const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports
const s = new Int32Array(memory.buffer, ctl, 16)

let seen = Atomics.load(s, SEQ)
for (;;) {
  let spins = 0
  while (Atomics.load(s, SEQ) === seen) {
    if (++spins < SPINS) continue
    Atomics.add(s, ASLEEP, 1)
    Atomics.wait(s, SEQ, seen) // returns at once if a job was posted since the check above
    Atomics.sub(s, ASLEEP, 1)
    spins = 0
  }
  seen = Atomics.load(s, SEQ)
  kernels.work(ctl, seen)
}
