"""PyTorch with rnn's training recipe, for BENCHMARKS.md's "Training recipe": the same model (nn.LSTM),
data split, batches, Adam, clipping, learning-rate schedule and time budget as `rnn train corpus.txt
--max-seconds S`, so that the validation loss each reaches in the same time shows the recipe's part and the
engine's. Prints one JSON object: {"steps", "horizon", "seconds", "val_loss", "chars_per_s", "threads"}.

    /usr/bin/python3 bench/recipe_reference.py ../shared/data/tinyshakespeare.txt --seconds 60 \\
        --hidden 128 --layers 1 --batch 32 --seq-len 64 --lr 0.01

What it shares with rnn (src/engine/schedule.ts, src/tasks/train.ts, src/tasks/evaluate.ts): the last
10% of the characters is the validation split, of which the first 262,144 are read as
min(B, len/4096) streams; training reads B streams of the training split in windows of T with the hidden
state carried; warm-up then cosine decay to floor × lr at the horizon, which a time budget fixes once
after the warm-up from the speed of steps 5.. and of a validation (the whole budget), and again at half and
three quarters of the budget from the steps since, the decay going on from where it had got to; clip 5;
validation every --eval-every steps and at the end; the loss reported is the best validation loss.
"""
import argparse
import json
import math
import os
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("corpus")
ap.add_argument("--seconds", type=float, required=True)
ap.add_argument("--hidden", type=int, default=128)
ap.add_argument("--layers", type=int, default=1)
ap.add_argument("--dropout", type=float, default=0.0)
ap.add_argument("--batch", type=int, default=32)
ap.add_argument("--seq-len", type=int, default=64)
ap.add_argument("--lr", type=float, default=0.01)
ap.add_argument("--warmup", type=int, default=100)
ap.add_argument("--lr-floor", type=float, default=0.1)
ap.add_argument("--schedule", choices=["cosine", "constant"], default="cosine")
ap.add_argument("--clip", type=float, default=5.0)
ap.add_argument("--eval-every", type=int, default=100)
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--threads", type=int, default=2)
args = ap.parse_args()
os.environ.setdefault("OPENBLAS_NUM_THREADS", str(args.threads))
os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)
text = open(args.corpus, encoding="utf-8").read()
vocab = sorted(set(text))
index = {c: i for i, c in enumerate(vocab)}
ids = torch.tensor([index[c] for c in text], dtype=torch.long)
cut = len(ids) - math.floor(len(ids) * 0.1)
train, val = ids[:cut], ids[cut:][:262_144]
V, B, T = len(vocab), args.batch, args.seq_len


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(V, args.hidden, args.layers, dropout=args.dropout if args.layers > 1 else 0.0)
        self.head = nn.Linear(args.hidden, V)

    def forward(self, x, state):
        out, state = self.lstm(F.one_hot(x, V).float(), state)
        return self.head(out), state


net = Net()
opt = torch.optim.Adam(net.parameters(), lr=args.lr)
L = len(train) // B
streams = train[:B * L].view(B, L)
chunks = (L - 1) // T


def progress(s, horizon, knot):
    """How far the decay has gone at step s: from the warm-up's end, or on from the last knot."""
    a, p0 = (args.warmup, 0.0) if knot is None or s <= knot[0] else knot
    return 1.0 if horizon <= a else min(1.0, max(0.0, p0 + (1 - p0) * (s - a) / (horizon - a)))


def factor(s, horizon, knot):
    if args.warmup > 0 and s <= args.warmup:
        return s / args.warmup
    if args.schedule == "constant" or horizon is None:
        return 1.0
    p = progress(s, horizon, knot)
    return args.lr_floor + (1 - args.lr_floor) * 0.5 * (1 + math.cos(math.pi * p))


@torch.no_grad()
def validate():
    net.eval()
    S = max(1, min(B, len(val) // 4096))
    n = len(val) // S
    v = val[:S * n].view(S, n)
    total, count, state = 0.0, 0, None
    for start in range(0, n - 1, 256):
        end = min(start + 256, n - 1)
        out, state = net(v[:, start:end].t(), state)
        y = v[:, start + 1:end + 1].t().reshape(-1)
        total += F.cross_entropy(out.reshape(y.numel(), -1), y, reduction="sum").item()
        count += y.numel()
    net.train()
    return total / count


t0 = time.time()
elapsed = lambda: time.time() - t0
step, state, horizon, knot, best, chunk = 0, None, None, None, math.inf, 0
measure_from, validating, evals, again = None, 0.0, 0, [0.5, 0.75]
while horizon is None or step < horizon:
    if elapsed() >= args.seconds:
        break
    at = chunk * T
    x, y = streams[:, at:at + T].t(), streams[:, at + 1:at + T + 1].t()
    chunk = (chunk + 1) % chunks
    if chunk == 1:
        state = None
    out, state = net(x, state)
    state = tuple(s.detach() for s in state)
    loss = F.cross_entropy(out.reshape(-1, V), y.reshape(-1))
    opt.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(net.parameters(), args.clip)
    for g in opt.param_groups:
        g["lr"] = args.lr * factor(step + 1, horizon, knot)
    opt.step()
    step += 1
    if step % args.eval_every == 0:
        t = time.time()
        best = min(best, validate())
        validating += time.time() - t
        evals += 1
        print(f"step {step}: val {best:.4f} {elapsed():.1f}s", file=sys.stderr)
    if horizon is None and args.schedule == "cosine" and step == 5:
        measure_from = (elapsed(), validating)
    elif horizon is None and args.schedule == "cosine" and step >= 25 and step >= args.warmup:
        per_step = (elapsed() - measure_from[0] - (validating - measure_from[1])) / (step - 5)
        t = time.time()
        validate()
        per_eval = time.time() - t
        left = args.seconds - elapsed() - per_eval
        horizon = step + max(1, math.floor(left / (per_step + per_eval / args.eval_every)))
        print(f"horizon {horizon} ({per_step:.4f} s a step, {per_eval:.2f} s a validation)", file=sys.stderr)
        again = [f for f in again if f * args.seconds > elapsed()]
        measure_from = (elapsed(), validating, step, evals)
    elif horizon is not None and again and elapsed() >= again[0] * args.seconds:
        # measured again over the steps since (src/tasks/time-budget.ts), the decay going on from where it is
        now, again = elapsed(), [f for f in again if f * args.seconds > elapsed()]
        per_step = (now - measure_from[0] - (validating - measure_from[1])) / max(1, step - measure_from[2])
        if evals > measure_from[3]:
            per_eval = (validating - measure_from[1]) / (evals - measure_from[3])
        knot = (step, progress(step, horizon, knot))
        horizon = step + max(1, math.floor((args.seconds - now - per_eval) / (per_step + per_eval / args.eval_every)))
        measure_from = (now, validating, step, evals)
        print(f"at {now:.1f} s: horizon {horizon} ({per_step:.4f} s a step, {per_eval:.2f} s a validation)", file=sys.stderr)
if step % args.eval_every != 0:
    best = min(best, validate())
secs = elapsed()
print(json.dumps({"steps": step, "horizon": horizon, "seconds": round(secs, 1), "val_loss": round(best, 4),
                  "chars_per_s": round(step * B * T / secs), "threads": args.threads}))
