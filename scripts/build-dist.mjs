// Builds dist/ for `import ... from 'rnn'`: tsc emits JavaScript and type declarations from src/ (imports
// rewritten from .ts to .js), then the non-TypeScript assets the engine loads at run time are copied beside
// them (the .wasm kernels, the worker thread script). Runs on `npm ci` / `npm install` (the prepare
// script). `node scripts/build-dist.mjs <dir>` builds into another folder instead (tests do, so they never
// pull dist/ from under a running CLI).
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

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
// bin/rnn runs dist/ only while this stamp is newer than every source file
writeFileSync(join(out, '.built'), new Date().toISOString() + '\n')
