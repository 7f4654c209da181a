/** The engine choice from the environment, as the CLI reads it: RNN_KERNELS=wasm|js, RNN_THREADS=n. */
import { setKernels, type KernelName } from '../src/engine/kernels/index.ts'
import { setThreads } from '../src/engine/kernels/threads.ts'

const kernels = process.env.RNN_KERNELS, threads = process.env.RNN_THREADS
if (kernels !== undefined && kernels !== '') setKernels(kernels as KernelName)
if (threads !== undefined && threads !== '') setThreads(Number(threads))
