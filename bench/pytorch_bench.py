"""PyTorch reference for bench/bench.ts: the same three training workloads, float32 on the CPU.

Prints one JSON object per workload per line, like `npm run bench -- --json`:
    {"workload": "A", "chars_per_s": N, "gflops": N}
Progress goes to stderr.

    OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 bench/pytorch_bench.py --threads 1
    OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 bench/pytorch_bench.py --threads 2 --workload A,C

Each timed step is what bench.ts times: zero grad, forward, backward, clip_grad_norm_(5), Adam step,
with the hidden state carried (detached) between steps. GFLOP/s uses the same count as the engine's
flopsPerPosition (src/model/spec.ts), so the two columns compare the same work.
"""
import argparse
import json
import os
import statistics
import sys
import time


def parse_args():
    ap = argparse.ArgumentParser(description="PyTorch reference for bench/bench.ts")
    ap.add_argument("--threads", type=int, default=1, choices=[1, 2])
    ap.add_argument("--workload", default="A,B,C,SAMPLE-B")
    ap.add_argument("--seconds", type=float, default=20)
    args = ap.parse_args()
    args.names = [n.strip().upper() for n in args.workload.split(",") if n.strip()]
    for n in args.names:
        if n not in ("A", "B", "C", "SAMPLE-B"):
            ap.error(f"unknown workload {n}")
    return args


ARGS = parse_args()
# Debian's torch calls OpenBLAS through the generic libblas interface (BLAS_INFO=generic), so
# torch.set_num_threads may not reach OpenBLAS's own pthread pool: pin it (and OpenMP) before torch
# loads. An explicit OPENBLAS_NUM_THREADS / OMP_NUM_THREADS in the environment wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", str(ARGS.threads))
os.environ.setdefault("OMP_NUM_THREADS", str(ARGS.threads))

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

WORKLOADS = {
    "A": ("lstm", 1, 128),
    "B": ("lstm", 2, 256),
    "C": ("rnn_tanh", 1, 128),
}
VOCAB, T, B, LR, CLIP, SEED = 65, 64, 32, 2e-3, 5.0, 1234
WINDOWS = 5  # median of windows, as in bench.ts
WARMUP_STEPS, WARMUP_SECONDS = 2, 1.5


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def flops_per_position(cell, layers, hidden):
    """src/model/spec.ts flopsPerPosition: one-hot layer-0 projection excluded, fwd 1x + bwd 2x, 2 flops/MAC."""
    gates = 4 if cell == "lstm" else 1
    macs = 0
    for k in range(layers):
        inp = 0 if k == 0 else hidden
        macs += gates * hidden * (inp + hidden)
    macs += VOCAB * hidden
    return 2 * 3 * macs


class CharRNN(nn.Module):
    def __init__(self, cell, layers, hidden):
        super().__init__()
        if cell == "lstm":
            self.rnn = nn.LSTM(VOCAB, hidden, layers)
        else:
            self.rnn = nn.RNN(VOCAB, hidden, layers, nonlinearity="tanh")
        self.head = nn.Linear(hidden, VOCAB)

    def forward(self, x, state):
        # one-hot as a float tensor: what a plain PyTorch char-RNN does (nn.RNN has no sparse input)
        out, state = self.rnn(F.one_hot(x, VOCAB).float(), state)
        return self.head(out), state


def run(name, seconds):
    cell, layers, hidden = WORKLOADS[name]
    torch.manual_seed(SEED)
    model = CharRNN(cell, layers, hidden)
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    loss_fn = nn.CrossEntropyLoss()
    zeros = torch.zeros(layers, B, hidden)
    state = (zeros, zeros.clone()) if cell == "lstm" else zeros

    g = torch.Generator().manual_seed(SEED + 1)
    stream_len = 1 << 14
    corpus = torch.randint(0, VOCAB, (B, stream_len + T + 1), generator=g)
    pos = 0

    def next_batch():
        nonlocal pos
        chunk = corpus[:, pos : pos + T + 1].t().contiguous()  # [T+1][B], time-major
        pos = (pos + T) % stream_len
        return chunk[:-1], chunk[1:]

    def step():
        nonlocal state
        x, y = next_batch()  # outside the timed step, as in bench.ts
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=False)
        state = tuple(s.detach() for s in state) if cell == "lstm" else state.detach()
        logits, state = model(x, state)
        loss = loss_fn(logits.reshape(-1, VOCAB), y.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        opt.step()
        return time.perf_counter() - t0, loss.item()

    start = time.perf_counter()
    i = 0
    while i < WARMUP_STEPS or time.perf_counter() - start < WARMUP_SECONDS:
        _, loss = step()
        i += 1
    log(f"  {name}: warm-up {time.perf_counter() - start:.1f} s, loss {loss:.3f}")

    window = seconds / WINDOWS
    per_window = []
    for k in range(WINDOWS):
        spent, n = 0.0, 0
        while n == 0 or spent < window:
            dt, loss = step()
            spent += dt
            n += 1
        per_window.append(spent / n)
        log(f"  {name}: window {k + 1}/{WINDOWS}: {n} steps, {1000 * spent / n:.1f} ms/step")
    step_s = statistics.median(per_window)
    chars = T * B / step_s
    return chars, flops_per_position(cell, layers, hidden) * chars / 1e9


def run_sample(seconds):
    """Single-stream sampling with workload B's model: one character at a time under no_grad, as a user
    samples text (softmax of the logits, one multinomial draw, fed back)."""
    cell, layers, hidden = WORKLOADS["B"]
    torch.manual_seed(SEED)
    model = CharRNN(cell, layers, hidden).eval()
    g = torch.Generator().manual_seed(SEED + 2)
    x = torch.zeros(1, 1, dtype=torch.long)
    zeros = torch.zeros(layers, 1, hidden)
    state = (zeros, zeros.clone())
    n, start, t0 = 0, time.perf_counter(), None
    with torch.no_grad():
        while True:
            logits, state = model(x, state)
            probs = torch.softmax(logits[0, 0], dim=0)
            x = torch.multinomial(probs, 1, generator=g).view(1, 1)
            n += 1
            now = time.perf_counter()
            if t0 is None and now - start >= 0.5:  # warm-up
                t0, n = now, 0
            elif t0 is not None and now - t0 >= seconds:
                return n / (now - t0)


def main():
    torch.set_num_threads(ARGS.threads)
    log(f"torch {torch.__version__}, threads {torch.get_num_threads()}, {ARGS.seconds} s per workload")
    for n in ARGS.names:
        if n == "SAMPLE-B":
            print(json.dumps({"workload": "sample-B", "chars_per_s": round(run_sample(ARGS.seconds))}), flush=True)
            continue
        log(f"{n}: {WORKLOADS[n]}")
        chars, gflops = run(n, ARGS.seconds)
        print(json.dumps({"workload": n, "chars_per_s": round(chars), "gflops": round(gflops, 3)}), flush=True)


if __name__ == "__main__":
    main()
