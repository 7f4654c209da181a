/** The explorer's stylesheet (inline in the page, allowed by its sha256 in the CSP). */
export const CSS = `
:root { color-scheme: light; --now: #f2a900; --shared: #d62728; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #222; }
body { margin: 0 auto; max-width: 1180px; padding: 12px 16px 40px; }
h1 { font-size: 21px; margin: 0 0 2px; } h2 { font-size: 17px; margin: 0 0 4px; }
.sub, .what, .note { color: #666; } .what { margin: 0 0 8px; max-width: 900px; }
nav a { color: #2457a5; } header { margin-bottom: 8px; }
#controls { position: sticky; top: 0; background: #fff; z-index: 2; padding: 6px 0; border-bottom: 1px solid #ddd; }
#controls textarea { width: 100%; box-sizing: border-box; font: 13px ui-monospace, Menlo, Consolas, monospace; }
.transport { display: flex; gap: 8px; align-items: center; } .transport input[type=range] { flex: 1; }
#at { font: 12px ui-monospace, Menlo, Consolas, monospace; min-width: 260px; }
.error { color: #b00020; min-height: 1em; margin: 2px 0; }
section[data-view] { border: 1px solid #e3e3e3; border-radius: 6px; padding: 10px 12px; margin: 14px 0; overflow-x: auto; }
section[data-view].active { border-color: var(--now); box-shadow: 0 0 0 2px #f2a90033; }
.row { display: flex; flex-wrap: wrap; gap: 6px 12px; align-items: center; margin-bottom: 6px; }
svg text { font-size: 11px; fill: #444; } svg .xt, svg .yt { font: 12px ui-monospace, Menlo, Consolas, monospace; fill: #222; }
.cell { fill: #f4f4f4; stroke: #888; } .band { fill: transparent; } .copy.now .band { fill: #f2a90022; stroke: var(--now); }
.edge { fill: none; stroke: #999; stroke-width: 1.2; } .edge.shared { stroke: var(--shared); stroke-width: 2.6; }
.arrowhead { fill: #999; } .unit { stroke: #fff; stroke-width: 0.5; }
canvas.heat { image-rendering: pixelated; border: 1px solid #ccc; display: block; }
.matrices { display: flex; flex-wrap: wrap; gap: 10px; align-items: flex-start; }
.matrix { display: flex; flex-direction: column; gap: 4px; font-size: 12px; background: #fff; text-align: left; cursor: pointer; }
.matrix { border: 2px solid transparent; border-radius: 4px; padding: 4px; margin: 0; }
.matrix canvas { width: 180px; height: 120px; } .matrix.selected { border-color: var(--shared); }
.state-heat { cursor: crosshair; } .chars { display: flex; font: 11px ui-monospace, Menlo, Consolas, monospace; overflow: hidden; }
.chars span { flex: 1; text-align: center; min-width: 0; } .chars span.now { background: var(--now); }
.coloured { font: 14px ui-monospace, Menlo, Consolas, monospace; white-space: pre-wrap; }
.hstrip { display: flex; height: 14px; max-width: 640px; } .hstrip span { flex: 1; }
.bar { fill: #9bb7d9; } .bar.drawn { fill: var(--shared); } mark { background: var(--now); }
pre.sample { white-space: pre-wrap; background: #f7f7f7; border: 1px solid #e5e5e5; padding: 8px; max-height: 160px; overflow: auto; }
.chart .frame { fill: none; stroke: #bbb; } .chart .grid { stroke: #eee; } .chart .now-line { stroke: var(--now); stroke-width: 2; }
.chart .line { fill: none; stroke-width: 1.8; } .chart .pi { stroke: none; fill: #2ca02c; fill-opacity: 0.14; }
.intervals table { border-collapse: collapse; font: 12px ui-monospace, Menlo, Consolas, monospace; }
.intervals th, .intervals td { padding: 1px 8px; text-align: right; border-bottom: 1px solid #eee; }
.s0 { stroke: #1f77b4; fill: #1f77b4; }
.s1 { stroke: #2ca02c; fill: #2ca02c; }
.s2 { stroke: #9467bd; fill: #9467bd; }
.s3 { stroke: #8c564b; fill: #8c564b; }
.chart .dashed { stroke-dasharray: 4 3; } .fresh { stroke: #aaa; fill: #888; stroke-dasharray: 2 2; }
.grad { stroke: #ddd; } .grad.reached { stroke: #d62728; }
.slot { fill: #f0f0f0; stroke: #ccc; }
.slot.stored { fill: #9bb7d9; }
.slot.summed { fill: #e8a0a0; }
.slot.now { stroke: var(--now); stroke-width: 2; }
.check { font-weight: 600; }
input.sentence { width: 100%; box-sizing: border-box; font: 14px ui-monospace, Menlo, Consolas, monospace; padding: 4px; }
.verdict { font-weight: 600; } .pool-bar { stroke: #777; stroke-width: 2.5; } .edge.pool { stroke-dasharray: 3 2; }
.coloured span.now { outline: 2px solid var(--now); }
`
