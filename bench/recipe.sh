#!/bin/sh
# One timed run of BENCHMARKS.md's "Training recipe": `rnn train CORPUS --max-seconds S [flags]` (the recipe
# fills every setting not given), or with --torch the PyTorch reference (bench/recipe_reference.py) with
# the flags given to it. Prints the machine's load before and after (the figures depend on it) and the
# result as one line of JSON. From a clone:
#   sh bench/recipe.sh ../shared/data/tinyshakespeare.txt 60
#   sh bench/recipe.sh ../shared/data/tinyshakespeare.txt 60 --lr-schedule constant --warmup 0
#   sh bench/recipe.sh --torch ../shared/data/tinyshakespeare.txt 60 --hidden 128 --lr 0.01
set -e
torch=0
if [ "$1" = "--torch" ]; then torch=1; shift; fi
corpus=$1; seconds=$2; shift 2
here=$(dirname "$0")
echo "load before: $(uptime | sed 's/.*load average: //')"
if [ $torch = 1 ]; then
  /usr/bin/python3 "$here/recipe_reference.py" "$corpus" --seconds "$seconds" "$@"
else
  out=$(mktemp -d)
  node "$here/../bin/rnn" train "$corpus" --max-seconds "$seconds" --out "$out/run.json" --json "$@" 2>"$out/stderr" \
    | node -e 'const r = JSON.parse(require("fs").readFileSync(0, "utf8")); delete r.memory; console.log(JSON.stringify(r))'
  grep -E '^(recipe|--max-seconds)' "$out/stderr" || true
  rm -rf "$out"
fi
echo "load after: $(uptime | sed 's/.*load average: //')"
