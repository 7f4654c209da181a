/** The package's version (package.json): `rnn --version`, and the rnn_version stamped into every checkpoint. */
import { readFileSync } from 'node:fs'

export const PACKAGE_VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version
