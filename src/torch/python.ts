/**
 * Finding the Python that runs --engine torch: $RNN_PYTHON when set (and then only it), else
 * /usr/bin/python3 (Debian's python3-torch lives there, while a python3 first on PATH, pyenv's say, may
 * lack it), else python3 on PATH. Each candidate is asked, in one short run, for its torch version and
 * what it can run on; the first with torch ≥ 1.13 is used. Every failure is one line naming what was tried.
 */
import { spawn } from 'node:child_process'
import { UserError } from '../errors.ts'

const MIN_TORCH: readonly [number, number] = [1, 13]
const NEEDS = `--engine torch needs python3 with torch ≥ ${MIN_TORCH.join('.')}`

export interface TorchPython {
  python: string
  torch: string
  cuda: boolean
  gpus: number
  gloo: boolean
  nccl: boolean
}

const PROBE = `
import json, sys
try:
    import torch, torch.distributed as d
except Exception as e:
    print(json.dumps({"error": f"{type(e).__name__}: {e}"})); sys.exit(0)
ok = d.is_available()
print(json.dumps({"torch": torch.__version__, "cuda": torch.cuda.is_available(), "gpus": torch.cuda.device_count(),
                  "gloo": ok and d.is_gloo_available(), "nccl": ok and d.is_nccl_available()}))
`

/** The candidates in order: `explicit` ($RNN_PYTHON) alone when given. */
function pythonCandidates(explicit: string | undefined): string[] {
  return explicit !== undefined && explicit !== '' ? [explicit] : ['/usr/bin/python3', 'python3']
}

export async function findTorchPython(explicit: string | undefined): Promise<TorchPython> {
  const reasons: string[] = []
  for (const python of pythonCandidates(explicit)) {
    const r = await probe(python)
    if (typeof r !== 'string') return r
    reasons.push(`${python}${explicit ? ' ($RNN_PYTHON)' : ''}: ${r}`)
  }
  throw new UserError(`${NEEDS}: ${reasons.join('; ')}${explicit ? '' : ' (set RNN_PYTHON to a python that has it)'}`)
}

/** What `device` and `nproc` need of this torch: a CUDA device per process and NCCL, or gloo. */
export function checkDevice(t: TorchPython, device: 'cpu' | 'cuda', nproc: number): void {
  const who = `torch ${t.torch} (${t.python})`
  if (device === 'cuda') {
    if (!t.cuda) throw new UserError(`--device cuda: ${who} sees no CUDA device (torch.cuda.is_available() is False); use --device cpu`)
    if (t.gpus < nproc) {
      throw new UserError(`--nproc ${nproc}: ${who} sees ${t.gpus} CUDA device${t.gpus === 1 ? '' : 's'}, one per process is needed`)
    }
    if (!t.nccl) throw new UserError(`--device cuda: ${who} has no NCCL backend for torch.distributed`)
  } else if (!t.gloo) throw new UserError(`--device cpu: ${who} has no gloo backend for torch.distributed`)
}

/** The probe's answer, or why this candidate cannot be used. */
function probe(python: string): Promise<TorchPython | string> {
  return new Promise((done) => {
    const child = spawn(python, ['-c', PROBE], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = '', err = ''
    child.stdout.on('data', (d: Buffer) => { out += d.toString() })
    child.stderr.on('data', (d: Buffer) => { err += d.toString() })
    child.on('error', (e: NodeJS.ErrnoException) => done(e.code === 'ENOENT' ? 'not found' : e.message))
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? ''
      let r: Partial<TorchPython> & { error?: string }
      try { r = JSON.parse(line) } catch {
        return done(`exit code ${code}${err.trim() ? `: ${lastLine(err)}` : ''}`)
      }
      if (r.error !== undefined) return done(`cannot import torch (${r.error})`)
      const v = /^(\d+)\.(\d+)/.exec(r.torch ?? '')
      const tooOld = v === null || Number(v[1]) * 1000 + Number(v[2]) < MIN_TORCH[0] * 1000 + MIN_TORCH[1]
      if (tooOld) return done(`has torch ${r.torch}, too old`)
      done({ python, torch: r.torch!, cuda: r.cuda === true, gpus: r.gpus ?? 0, gloo: r.gloo === true, nccl: r.nccl === true })
    })
  })
}

export function lastLine(text: string): string {
  return text.trim().split('\n').filter((l) => l.trim() !== '').pop()?.trim() ?? ''
}
