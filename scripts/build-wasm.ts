/**
 * Builds the wasm kernels from the AssemblyScript in src/engine/wasm/assembly with the compiler pinned
 * in package.json (no system tools), in two variants of the same source:
 *
 *   kernels.wasm           WebAssembly SIMD (fixed-width 128-bit): runs on every current runtime
 *   kernels-relaxed.wasm   + relaxed-simd, whose f32x4.relaxed_madd is one fused multiply-add on x64
 *                          with FMA: the products' inner loop halves its arithmetic (gemm.ts `madd`)
 *
 * The output is deterministic: the same sources and compiler give the same bytes, which
 * test/engine/wasm-build.test.ts checks against the committed files.
 *
 *   npm run build:wasm                 rebuild both in src/engine/wasm/
 *   npm run build:wasm -- --out DIR    write them to DIR instead (with .wat text beside, for reading)
 */
import asc from 'assemblyscript/asc'
import { mkdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const WASM_DIR = join(ROOT, 'src/engine/wasm')
const ENTRY = 'src/engine/wasm/assembly/index.ts'

/**
 * --runtime stub with no allocation in the sources: no GC, no data segments; the memory is imported (one
 * WebAssembly.Memory shared with the JS side, see src/engine/memory.ts) and declared shared, up to the
 * 4 GiB limit, so worker threads can run kernels on it too (threads: atomics, src/engine/kernels/threads.ts); SIMD
 * on; assertions and the abort import off; no debug info or names, so the bytes do not depend on where
 * the tree is.
 */
export const ASC_FLAGS = [
  '--runtime', 'stub', '--importMemory', '--noExportMemory', '--sharedMemory', '--maximumMemory', '65536',
  '--enable', 'simd', '--enable', 'threads',
  '--optimizeLevel', '3', '--shrinkLevel', '0', '--noAssert', '--use', 'abort=',
]

/** The variants: file name and extra compiler flags. */
export const VARIANTS: readonly { file: string; flags: readonly string[] }[] = [
  { file: 'kernels.wasm', flags: [] },
  { file: 'kernels-relaxed.wasm', flags: ['--enable', 'relaxed-simd'] },
]

/** Compiles every variant into outDir; returns their paths. Throws with the compiler's messages on error. */
export async function buildWasm(outDir: string, withText = false): Promise<string[]> {
  mkdirSync(outDir, { recursive: true })
  const outs: string[] = []
  for (const v of VARIANTS) {
    const out = join(outDir, v.file)
    const text = withText ? ['-t', out.replace(/\.wasm$/, '.wat')] : []
    let log = ''
    const sink = { write: (s: string | Uint8Array) => { log += typeof s === 'string' ? s : Buffer.from(s).toString(); return true } }
    const { error } = await asc.main([ENTRY, '-o', out, ...text, ...ASC_FLAGS, ...v.flags], { stdout: sink, stderr: sink, baseDir: ROOT } as asc.APIOptions)
    if (error) throw new Error(`asc failed on ${v.file}: ${error.message}\n${log}`)
    outs.push(out)
  }
  return outs
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--out')
  const dir = i >= 0 ? resolve(process.argv[i + 1]) : WASM_DIR
  for (const out of await buildWasm(dir, i >= 0)) process.stdout.write(`wrote ${out}\n`)
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main()
