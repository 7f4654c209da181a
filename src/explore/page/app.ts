/**
 * The page's model of itself: the state, what is computed from it (parsed input, forward trace, gradients;
 * each computed once per text and reused by every view), and the one scheduler that drives play/pause so
 * all views move together. Views register and are re-rendered after every change.
 */
import type { GradientInspection, LossAt } from '../../inspect/gradients.ts'
import type { Input, Runner, Trace } from './run.ts'
import { fromHash, toHash, type State, type ViewName } from './state.ts'

export interface View {
  readonly name: ViewName
  readonly title: string
  mount(root: HTMLElement, app: App): void
  render(app: App): void
  /** Views that need a backward pass draw only while on screen or selected (typing elsewhere skips that pass). */
  readonly backward?: boolean
  /** One beat of play, before the step advances (views with a clock of their own). */
  tick?(app: App): void
}

const PLAY_MS = 450
/**
 * The address bar follows the state at most this often: history.replaceState cost ~20 ms per call in
 * Chromium, a quarter of a keystroke's time, and Chromium throttles frequent calls anyway.
 */
const HASH_MS = 300

export class App {
  state: State
  readonly defaults: State
  private readonly views: { view: View; root: HTMLElement }[] = []
  private computedFor: string | null = null
  private cachedInput: Input | null = null
  private cachedTrace: Trace | null = null
  /** Backward passes of the current input by loss placement and (a classifier) label: "last " or "last negative". */
  private readonly grads = new Map<string, GradientInspection>()
  /** Which backward pass the gradient model's buffers hold now. */
  private held: string | null = null
  /** The forward pass of the input the trace came from, its backward half not run yet (and for which key). */
  private unfinished: { key: string; finish: () => GradientInspection } | null = null
  error: string | null = null
  /** Called when window.rnn.setKernels switches the kernels (the page header names them). */
  onKernels: () => void = () => {}
  private timer: ReturnType<typeof setInterval> | null = null
  private readonly listeners: ((a: App) => void)[] = []
  private hashTimer: ReturnType<typeof setTimeout> | null = null
  private readonly onScreen = new Set<Element>()
  private readonly stale = new Set<Element>()
  private readonly seen = new IntersectionObserver((entries) => {
    for (const e of entries) {
      if (!e.isIntersecting) { this.onScreen.delete(e.target); continue }
      this.onScreen.add(e.target)
      if (!this.stale.delete(e.target)) continue
      this.views.find((v) => v.root === e.target)?.view.render(this)
    }
  })
  /** Counts the backward passes run on the gradient model (bptt caches its sums per pass). */
  backwardPasses = 0

  constructor(readonly runner: Runner, defaults: State) {
    this.defaults = defaults
    this.state = fromHash(location.hash, defaults)
    this.compute()
    this.state.t = this.clampT(this.state.t)
  }

  add(view: View, root: HTMLElement): void {
    this.views.push({ view, root })
    view.mount(root, this)
    if (view.backward === true) this.seen.observe(root)
  }

  /** Called after every render (the controls bar updates itself this way). */
  onRender(f: (a: App) => void): void { this.listeners.push(f) }

  get input(): Input | null { return this.cachedInput }
  get trace(): Trace | null { return this.cachedTrace }
  get T(): number { return this.cachedInput?.T ?? 0 }

  /**
   * Gradients of the current input for a loss placement (a classifier: its loss at the head, against the
   * state's label), computed on first use.
   */
  gradients(lossAt: LossAt = this.state.lossAt): GradientInspection | null {
    const input = this.cachedInput, classifier = this.runner.classes !== null
    if (input === null || input.T < (classifier ? 1 : 2)) return null
    const key = this.key(lossAt)
    let g = this.grads.get(key)
    if (g === undefined) {
      // the forward pass the trace came from, when it is this one's; any other pass overwrites its buffers
      const u = this.unfinished
      this.unfinished = null
      const label = classifier ? this.runner.labelIndex(this.state.label) : -1
      g = u?.key === key ? u.finish() : this.runner.gradients(input, lossAt, undefined, label)
      this.grads.set(key, g); this.held = key; this.backwardPasses++
    }
    return g
  }

  /** Makes the gradient model's buffers hold the backward pass for `lossAt` and the label (bptt reads them). */
  backwardFor(lossAt: LossAt): GradientInspection | null {
    const key = this.key(lossAt)
    if (this.held !== key) this.grads.delete(key)
    return this.gradients(lossAt)
  }

  private key(lossAt: LossAt): string {
    return `${lossAt} ${this.runner.classes !== null ? this.runner.labelIndex(this.state.label) : -1}`
  }

  set(patch: Partial<State>): void {
    Object.assign(this.state, patch)
    this.compute()
    this.state.t = this.clampT(this.state.t)
    this.render()
  }

  /**
   * Every view in one task, so the browser lays out and paints the page once per change (drawing the
   * backward views in a later task cost a frame in between: ~20 ms with all six views on screen).
   */
  render(): void {
    for (const { view, root } of this.views) {
      root.classList.toggle('active', view.name === this.state.view)
      if (view.backward !== true) view.render(this)
      // off screen, a backward view draws when it scrolls into sight (typing stays quick)
      else if (this.onScreen.has(root) || view.name === this.state.view) { this.stale.delete(root); view.render(this) }
      else this.stale.add(root)
    }
    for (const f of this.listeners) f(this)
    this.hashTimer ??= setTimeout(() => this.writeHash(), HASH_MS)
  }

  /** The state into the address (so a reload or a copied link shows the same thing). */
  private writeHash(): void {
    this.hashTimer = null
    const hash = toHash(this.state, this.defaults)
    if (location.hash.replace(/^#/, '') !== hash)
      history.replaceState(null, '', hash === '' ? location.pathname + location.search : `#${hash}`)
  }

  /**
   * Resolves once every view has drawn the current state: at once, as views draw when the state changes
   * (a view scrolled into sight draws when the browser reports it, before the next frame).
   */
  settled(): Promise<void> { return Promise.resolve() }

  /** The state a hash edited by hand (or a pasted link) asks for. */
  stateFromHash(): State { return fromHash(location.hash, this.defaults) }

  show(view: ViewName, t?: number): void {
    this.set({ view, ...(t === undefined ? {} : { t }) })
    document.querySelector(`[data-view="${view}"]`)?.scrollIntoView({ block: 'start' })
  }

  get playing(): boolean { return this.timer !== null }

  play(): void {
    if (this.timer !== null) return
    this.timer = setInterval(() => { for (const { view } of this.views) view.tick?.(this); this.step(1) }, PLAY_MS)
    this.render()
  }

  pause(): void {
    if (this.timer === null) return
    clearInterval(this.timer)
    this.timer = null
    this.render()
  }

  /** One step forward or back; wraps around at the ends. */
  step(d: number): void {
    const T = Math.max(1, this.T)
    this.set({ t: (((this.state.t + d) % T) + T) % T })
  }

  private clampT(t: number): number {
    return Math.max(0, Math.min(Math.max(0, this.T - 1), Math.floor(t)))
  }

  /** Parses the text and runs the forward pass when the text changed; an unreadable text keeps the last good one. */
  private compute(): void {
    if (this.computedFor === this.state.text) return
    this.computedFor = this.state.text
    try {
      const input = this.runner.parse(this.state.text)
      if (input.T === 0) throw new Error('the input is empty')
      // one forward pass for the views and the backward views' gradients (run when one of them draws)
      const shared = this.runner.traceForGradients(input, this.state.lossAt)
      this.cachedInput = input
      this.cachedTrace = shared?.trace ?? this.runner.trace(input)
      this.grads.clear()
      this.held = null
      this.unfinished = shared === null ? null : { key: this.key(this.state.lossAt), finish: shared.finish }
      this.error = null
    } catch (e) {
      this.error = (e as Error).message
    }
  }
}
