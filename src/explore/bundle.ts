/**
 * The explorer page's script: src/explore/page/main.ts and the engine code it imports (model, cells, js
 * and wasm kernels, sampler, rng, gradient inspection), bundled by esbuild into one minified ES module (a module
for its top-level await: the wasm kernels compile before the engine loads). `npm run build`
 * writes it to dist/explore/page.js (so an installed package needs no bundler); run from the sources
 * (a clone, tsx) it is built here on demand, which needs the esbuild devDependency.
 *
 * The engine's Node-only modules (the wasm loader and the worker threads) are replaced by engine-shim.ts,
 * which gets the kernel binaries as base64, and `process.env` reads become reads of an empty object; any other `node:` import
 * reached from the page fails the build, naming the importer.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { UserError } from '../errors.ts'

const here = fileURLToPath(new URL('.', import.meta.url))
/** Engine modules that only run in Node, relative to src/: the worker threads and the wasm loader. */
const NODE_ONLY = ['engine/kernels/threads.ts', 'engine/wasm/module.ts']
/** The kernel binaries the shim embeds, relative to src/. */
const WASM = { RNN_WASM_RELAXED: 'engine/wasm/kernels-relaxed.wasm', RNN_WASM_PLAIN: 'engine/wasm/kernels.wasm' }

/** The page's script from the sources in srcDir (scripts/build-dist.mjs passes its own esbuild). */
export async function buildPage(srcDir = here, esbuild?: typeof import('esbuild')): Promise<string> {
  if (esbuild === undefined) {
    try {
      esbuild = await import('esbuild')
    } catch {
      throw new UserError('rnn explore: the page script is not built and esbuild is not installed; run `npm install` then `npm run build`')
    }
  }
  const shim = `${srcDir}/engine-shim.ts`
  const r = await esbuild.build({
    entryPoints: [`${srcDir}/page/main.ts`],
    bundle: true, minify: true, format: 'esm', target: 'es2022', platform: 'browser', write: false, logLevel: 'silent',
    legalComments: 'none', charset: 'utf8',
    define: {
      'process.env': '{}',
      ...Object.fromEntries(Object.entries(WASM).map(([k, f]) =>
        [k, JSON.stringify(readFileSync(resolve(srcDir, '..', f)).toString('base64'))])),
    },
    plugins: [{
      name: 'engine-for-the-page',
      setup(b) {
        const nodeOnly = new Set(NODE_ONLY.map((p) => resolve(srcDir, '..', p)))
        b.onResolve({ filter: /^\./ }, (a) => (nodeOnly.has(resolve(dirname(a.importer), a.path)) ? { path: shim } : undefined))
        const refuse = (a: { importer: string; path: string }) =>
          ({ errors: [{ text: `${a.importer} imports ${a.path}: the page cannot use Node modules` }] })
        b.onResolve({ filter: /^node:/ }, refuse)
      },
    }],
  })
  return r.outputFiles[0].text
}

/** The built script beside this file in dist/, else a fresh build from the sources. */
export async function pageScript(): Promise<string> {
  const built = fileURLToPath(new URL('./page.js', import.meta.url))
  if (import.meta.url.endsWith('.js') && existsSync(built)) return readFileSync(built, 'utf8')
  return buildPage()
}
