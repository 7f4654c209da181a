// Builds dist/ for `import ... from 'rnn'`: tsc emits JavaScript and type declarations from src/ (imports
// rewritten from .ts to .js), then the non-TypeScript assets the engine loads at run time are copied beside
// them. Runs on `npm ci` / `npm install` (the prepare script); the CLI itself runs the sources through tsx.
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
rmSync(join(root, 'dist'), { recursive: true, force: true })
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' })

function copyAssets(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name)
    if (entry.isDirectory()) copyAssets(p)
    else if (entry.name.endsWith('.wasm')) {
      const out = join(root, 'dist', relative(join(root, 'src'), p))
      mkdirSync(dirname(out), { recursive: true })
      copyFileSync(p, out)
    }
  }
}
copyAssets(join(root, 'src'))
