#!/usr/bin/env python3
"""Reference figures for the tool's exponential smoothing (src/tasks/ets.ts) from statsmodels' ExponentialSmoothing.

For each bundled series, with the rows `rnn eval` holds out by default (the last max(ceil(rows/10), 2*season)),
every Holt-Winters variant is fitted on the rows before them (initialization_method='estimated', statsmodels'
defaults otherwise), then run one step ahead through the test rows with its parameters fixed. Writes the
parameters, the sum of squares, AICc and the one-step MAE per variant as JSON (stdout, or --out FILE).

    /usr/bin/python3 scripts/ets_reference.py --out test/fixtures/ets/statsmodels.json
    /usr/bin/python3 scripts/ets_reference.py --summary --series data/seattle-weather.csv:temp_max:7   # eval's season

Needs Debian's python3-statsmodels (0.13.5 made the stored fixture).
"""
import argparse, csv, json, math, warnings
import numpy as np
import statsmodels
from statsmodels.tsa.holtwinters import ExponentialSmoothing

SERIES = [  # file, target column, season (as `rnn train` detects it)
    ("data/airline-passengers.csv", "passengers", 12),
    ("data/mauna-loa-co2.csv", "CO2", 12),
    ("data/seattle-weather.csv", "temp_max", 365),
]


def read(path, column):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return np.array([float(r[column]) for r in rows])


def variants(y, m):
    seasons = [None] + (["add"] + (["mul"] if (y > 0).all() else []) if len(y) >= 2 * m else [])
    return [(trend, season) for season in seasons for trend in (None, "add")]


def one(y, start, m, trend, season):
    fit = ExponentialSmoothing(y[:start], trend=trend, seasonal=season, seasonal_periods=m if season else None,
                               initialization_method="estimated").fit()
    p = fit.params
    known = dict(initial_level=p["initial_level"])
    if trend: known["initial_trend"] = p["initial_trend"]
    if season: known["initial_seasonal"] = p["initial_seasons"]
    full = ExponentialSmoothing(y, trend=trend, seasonal=season, seasonal_periods=m if season else None,
                                initialization_method="known", **known)
    run = full.fit(smoothing_level=p["smoothing_level"], smoothing_trend=p["smoothing_trend"] if trend else None,
                   smoothing_seasonal=p["smoothing_seasonal"] if season else None, optimized=False)
    pred = run.fittedvalues[start:]
    return {
        "trend": trend or "none", "season": season or "none",
        "alpha": p["smoothing_level"], "beta": p["smoothing_trend"] if trend else 0.0,
        "gamma": p["smoothing_seasonal"] if season else 0.0,
        "sse": fit.sse, "aicc": fit.aicc if math.isfinite(fit.aicc) else None,
        "one_step_mae": float(np.mean(np.abs(pred - y[start:]))),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out")
    ap.add_argument("--series", action="append", metavar="FILE:COLUMN:SEASON",
                    help="other series or seasons than the fixture's (e.g. data/seattle-weather.csv:temp_max:7)")
    ap.add_argument("--summary", action="store_true", help="one line per series: the lowest-AICc variant and its one-step MAE")
    a = ap.parse_args()
    warnings.filterwarnings("ignore")
    out = {"statsmodels": statsmodels.__version__, "series": []}
    series = [(f, c, int(m)) for f, c, m in (x.rsplit(":", 2) for x in a.series)] if a.series else SERIES
    for path, column, m in series:
        y = read(path, column)
        test = max(math.ceil(len(y) * 0.1), 2 * m)
        start = len(y) - test
        out["series"].append({"file": path, "column": column, "season": m, "rows": len(y), "test_rows": test,
                              "variants": [one(y, start, m, t, s) for t, s in variants(y[:start], m)]})
    if a.summary:
        for s in out["series"]:
            v = min((v for v in s["variants"] if v["aicc"] is not None), key=lambda v: v["aicc"])
            print(f'{s["file"]} {s["column"]} season {s["season"]}, {s["test_rows"]} test rows: '
                  f'ETS(A,{v["trend"][0].upper()},{v["season"][0].upper()}) one-step MAE {v["one_step_mae"]:.4f}')
        return
    text = json.dumps(out, indent=1)
    if a.out:
        with open(a.out, "w") as f: f.write(text + "\n")
    else:
        print(text)


if __name__ == "__main__":
    main()
