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
  /** Views that need a backward pass draw just after the others, so typing shows the forward views at once. */
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
  error: string | null = null
  private timer: ReturnType<typeof setInterval> | null = null
  private readonly listeners: ((a: App) => void)[] = []
  private pending: ReturnType<typeof setTimeout> | null = null
  private hashTimer: ReturnType<typeof setTimeout> | null = null
  private readonly idle: (() => void)[] = []
  private readonly drawnWaiters: (() => void)[] = []
  private readonly later: (() => void)[] = []
  private laterTimer: ReturnType<typeof setTimeout> | null = null
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
    const label = classifier ? this.runner.labelIndex(this.state.label) : -1, key = `${lossAt} ${label}`
    let g = this.grads.get(key)
    if (g === undefined) {
      g = this.runner.gradients(input, lossAt, undefined, label)
      this.grads.set(key, g); this.held = key; this.backwardPasses++
    }
    return g
  }

  /** Makes the gradient model's buffers hold the backward pass for `lossAt` and the label (bptt reads them). */
  backwardFor(lossAt: LossAt): GradientInspection | null {
    const key = `${lossAt} ${this.runner.classes !== null ? this.runner.labelIndex(this.state.label) : -1}`
    if (this.held !== key) this.grads.delete(key)
    return this.gradients(lossAt)
  }

  set(patch: Partial<State>): void {
    Object.assign(this.state, patch)
    this.compute()
    this.state.t = this.clampT(this.state.t)
    this.render()
  }

  render(): void {
    for (const { view, root } of this.views) {
      root.classList.toggle('active', view.name === this.state.view)
      if (view.backward !== true) view.render(this)
    }
    for (const f of this.listeners) f(this)
    this.hashTimer ??= setTimeout(() => this.writeHash(), HASH_MS)
    // one pending draw of the backward views, whatever the number of renders before it runs
    if (this.pending === null) this.pending = setTimeout(() => this.renderBackward(), 0)
  }

  /** The state into the address (so a reload or a copied link shows the same thing). */
  private writeHash(): void {
    this.hashTimer = null
    const hash = toHash(this.state, this.defaults)
    if (location.hash.replace(/^#/, '') !== hash)
      history.replaceState(null, '', hash === '' ? location.pathname + location.search : `#${hash}`)
  }

  /** Draws the views that need the backward pass now (if a draw is pending). */
  renderBackward(): void {
    if (this.pending === null) return
    clearTimeout(this.pending)
    this.pending = null
    for (const { view, root } of this.views) {
      if (view.backward !== true) continue
      // off screen, a backward view draws when it scrolls into sight (typing stays quick)
      if (this.onScreen.has(root) || view.name === this.state.view) { this.stale.delete(root); view.render(this) } else this.stale.add(root)
    }
    for (const f of this.drawnWaiters.splice(0)) f()
    if (this.laterTimer === null) for (const f of this.idle.splice(0)) f()
  }

  /**
   * Work a view leaves for after every view has drawn: a check of what is drawn, not a picture (the bptt
   * view's sum over all steps). Runs once the views are on screen; settled() waits for it.
   */
  defer(f: () => void): void {
    this.later.push(f)
    this.laterTimer ??= setTimeout(() => {
      this.laterTimer = null
      for (const g of this.later.splice(0)) g()
      if (this.pending === null) for (const g of this.idle.splice(0)) g()
    }, 0)
  }

  /** Resolves once every view has drawn the current state (deferred checks may still be running). */
  drawn(): Promise<void> {
    return this.pending === null ? Promise.resolve() : new Promise((done) => this.drawnWaiters.push(done))
  }

  /** Resolves once every view has drawn the current state and every deferred check has run. */
  settled(): Promise<void> {
    return this.pending === null && this.laterTimer === null ? Promise.resolve() : new Promise((done) => this.idle.push(done))
  }

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
      this.cachedInput = input
      this.cachedTrace = this.runner.trace(input)
      this.grads.clear()
      this.held = null
      this.error = null
    } catch (e) {
      this.error = (e as Error).message
    }
  }
}
