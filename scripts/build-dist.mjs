// Builds dist/ for `import ... from 'rnn'`: tsc emits JavaScript and type declarations from src/ (imports
// rewritten from .ts to .js), then the non-TypeScript assets the engine loads at run time are copied beside
// them (the .wasm kernels, the worker thread script), and the explorer page's script is bundled (esbuild,
// dist/explore/page.js). Runs before `npm pack` (the prepack script) and on `npm run build`.
// `node scripts/build-dist.mjs <dir>` builds into another folder instead (tests do, so they never
// pull dist/ from under a running CLI).
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const out = resolve(process.argv[2] ?? join(root, 'dist'))
rmSync(out, { recursive: true, force: true })
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', out], { stdio: 'inherit' })

function copyAssets(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name)
    if (entry.isDirectory()) copyAssets(p)
    else if (entry.name.endsWith('.wasm') || entry.name.endsWith('.mjs')) {
      const to = join(out, relative(join(root, 'src'), p))
      mkdirSync(dirname(to), { recursive: true })
      copyFileSync(p, to)
    }
  }
}
copyAssets(join(root, 'src'))
// the explorer page's script (rnn explore), so an installed package needs no bundler at run time
const { buildPage } = await import(pathToFileURL(join(out, 'explore/bundle.js')).href)
writeFileSync(join(out, 'explore/page.js'), await buildPage(join(root, 'src/explore'), await import('esbuild')))
// bin/rnn runs dist/ only while this stamp is newer than every source file
writeFileSync(join(out, '.built'), new Date().toISOString() + '\n')
