"""PyTorch reference for bench/bench.ts: the same workloads (peak, A, B, C, sample-B), float32 on the CPU.

Prints one JSON object per workload per line, like `npm run bench -- --json`, plus the BLAS that
torch's sgemm_ calls resolved to in this process:
    {"workload": "A", "chars_per_s": N, "gflops": N, "blas": "/usr/lib/.../libblas.so.3", "sgemm": "..."}
    {"workload": "peak", "gflops": N, "size": 512, "blas": ..., "sgemm": ...}   (PEAK: best torch.mm)
Progress goes to stderr.

    OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 bench/pytorch_bench.py --threads 1   # SkylakeX only on an AVX-512 CPU
    OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 bench/pytorch_bench.py --threads 2 --workload A,C
    OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 bench/pytorch_bench.py --workload PEAK
    # Debian's reference BLAS (apt-get install libblas3) instead of the system libblas (OpenBLAS):
    LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/blas /usr/bin/python3 bench/pytorch_bench.py --workload PEAK,A

Each timed step is what bench.ts times: zero grad, forward, backward, clip_grad_norm_(5), Adam step,
with the hidden state carried (detached) between steps. GFLOP/s uses the same count as the engine's
flopsPerPosition (src/model/spec.ts), so the two columns compare the same work.
"""
import argparse
import bisect
import ctypes
import json
import os
import random
import statistics
import sys
import time


def parse_args():
    ap = argparse.ArgumentParser(description="PyTorch reference for bench/bench.ts")
    ap.add_argument("--threads", type=int, default=1, choices=[1, 2])
    ap.add_argument("--workload", default="PEAK,A,B,C,SAMPLE-B")
    ap.add_argument("--seconds", type=float, default=20)
    args = ap.parse_args()
    args.names = [n.strip().upper() for n in args.workload.split(",") if n.strip()]
    for n in args.names:
        if n not in ("PEAK", "A", "B", "C", "SAMPLE-B"):
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


def mapped_libblas():
    """The libblas.so* this process has mapped (/proc/self/maps), or None. With LD_LIBRARY_PATH pointing
    at Debian's reference BLAS this is /usr/lib/x86_64-linux-gnu/blas/libblas.so.3.*; OpenBLAS's
    libopenblas*.so stays mapped too (liblapack.so.3 needs it), so this alone does not prove which
    library torch calls: see sgemm_provider."""
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "/libblas.so" in line}
    except OSError:
        return None
    return ",".join(sorted(paths)) or None


class _DlInfo(ctypes.Structure):
    _fields_ = [("dli_fname", ctypes.c_char_p), ("dli_fbase", ctypes.c_void_p),
                ("dli_sname", ctypes.c_char_p), ("dli_saddr", ctypes.c_void_p)]


def sgemm_provider():
    """The file whose sgemm_ libtorch_cpu's calls bind to: dlsym on libtorch_cpu's own handle searches its
    dependencies in the order the dynamic linker used to bind them, and dladdr names the file. None if
    any step fails (another platform, a statically linked BLAS)."""
    try:
        with open("/proc/self/maps") as f:
            cpu = next((line.split()[-1] for line in f if "/libtorch_cpu.so" in line), None)
        if cpu is None:
            return None
        libc = ctypes.CDLL(None)
        libc.dlopen.restype, libc.dlopen.argtypes = ctypes.c_void_p, [ctypes.c_char_p, ctypes.c_int]
        libc.dlsym.restype, libc.dlsym.argtypes = ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_char_p]
        libc.dladdr.argtypes = [ctypes.c_void_p, ctypes.POINTER(_DlInfo)]
        RTLD_LAZY, RTLD_NOLOAD = 1, 4  # NOLOAD: only a handle to the already loaded library
        handle = libc.dlopen(cpu.encode(), RTLD_LAZY | RTLD_NOLOAD)
        addr = libc.dlsym(handle, b"sgemm_") if handle else None
        info = _DlInfo()
        if not addr or libc.dladdr(addr, ctypes.byref(info)) == 0:
            return None
        return os.path.realpath(info.dli_fname.decode())
    except (OSError, AttributeError, StopIteration):
        return None


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


PEAK_SIZES = (256, 512, 1024)


def run_peak(seconds):
    """Peak float32 matrix product: torch.mm of n x n by n x n for a few n, best single call of each (one
    disturbed call on a shared machine cannot lower it), the best n reported. bench.ts measures our
    wasm matmul the same way. Returns (gflops, n)."""
    budget = min(seconds, 2.0) / len(PEAK_SIZES)
    best = (0.0, 0)
    for n in PEAK_SIZES:
        a, b, out = torch.rand(n, n) - 0.5, torch.rand(n, n) - 0.5, torch.empty(n, n)
        torch.mm(a, b, out=out)  # warm-up: first-call allocation, page faults
        fastest, reps, start = float("inf"), 0, time.perf_counter()
        while reps < 3 or time.perf_counter() - start < budget:
            t0 = time.perf_counter()
            torch.mm(a, b, out=out)
            fastest = min(fastest, time.perf_counter() - t0)
            reps += 1
        gflops = 2 * n**3 / fastest / 1e9
        log(f"  peak: torch.mm {n}^3: {gflops:.1f} GFLOP/s (best of {reps})")
        best = max(best, (gflops, n))
    return best


class LstmStepper:
    """One character at a time through a CharRNN LSTM, stepped by hand with the module's own weights.

    Why not model(x, state) per character: on this machine nn.LSTM costs ~240 us a step (4 addmm with one
    row, the layer loop, one-hot tensor) against ~150 us for these few ops; the products are the same.
    The one-hot input's product is a row of W_ih0^T (both layer-0 biases folded in), as our engine does.
    """

    def __init__(self, model):
        rnn, self.layers = model.rnn, model.rnn.num_layers
        w = {name: p.detach() for name, p in rnn.named_parameters()}
        self.in0 = (w["weight_ih_l0"].t() + w["bias_ih_l0"] + w["bias_hh_l0"]).contiguous()  # [V][4H]
        self.w_hh = [w[f"weight_hh_l{k}"] for k in range(self.layers)]
        self.w_ih = [None] + [w[f"weight_ih_l{k}"] for k in range(1, self.layers)]
        self.bias = [None] + [w[f"bias_ih_l{k}"] + w[f"bias_hh_l{k}"] for k in range(1, self.layers)]
        self.w_out, self.b_out = model.head.weight.detach(), model.head.bias.detach()
        zeros = torch.zeros(rnn.hidden_size)
        self.h, self.c = [zeros] * self.layers, [zeros] * self.layers

    def step(self, idx):
        """Feeds character idx, returns the logits of the next one."""
        x = None
        for k in range(self.layers):
            pre = self.in0[idx] if k == 0 else torch.addmv(self.bias[k], self.w_ih[k], x)
            i, f, g, o = torch.addmv(pre, self.w_hh[k], self.h[k]).chunk(4)  # PyTorch's gate order
            self.c[k] = torch.sigmoid(f) * self.c[k] + torch.sigmoid(i) * torch.tanh(g)
            self.h[k] = x = torch.sigmoid(o) * torch.tanh(self.c[k])
        return torch.addmv(self.b_out, self.w_out, x)


def draw(logits, temperature, rng):
    """One id from softmax(logits / temperature): bisect of a uniform number on the cumulative
    distribution. torch.multinomial validates its input on every call (~25 us here, a sixth of a step);
    the guard covers a product that rounds up to the total."""
    cum = torch.softmax(logits / temperature, 0).cumsum(0).tolist()
    return min(bisect.bisect(cum, rng.random() * cum[-1]), len(cum) - 1)


def run_sample(seconds, temperature=1.0):
    """Single-stream sampling with workload B's model under no_grad, as a user samples text: each step
    draws one character, has its id as a Python int (what a sampler turns into text) and feeds it back,
    like `rnn sample`'s loop. The fastest of the loops measured (nn.LSTM per step with F.one_hot or an
    identity row, torch.lstm_cell, a TorchScript step; torch.multinomial, Gumbel-max, bisect): the
    hand-stepped LSTM with bisect."""
    cell, layers, hidden = WORKLOADS["B"]
    torch.manual_seed(SEED)
    model = CharRNN(cell, layers, hidden).eval()
    rng = random.Random(SEED + 2)
    with torch.no_grad():
        check_stepper(model)
        lstm, idx = LstmStepper(model), 0
        n, start, t0 = 0, time.perf_counter(), None
        while True:
            idx = draw(lstm.step(idx), temperature, rng)
            n += 1
            now = time.perf_counter()
            if t0 is None and now - start >= 0.5:  # warm-up
                t0, n = now, 0
            elif t0 is not None and now - t0 >= seconds:
                return n / (now - t0)


def check_stepper(model):
    """The hand-stepped LSTM must give the module's logits, or the timing compares different work."""
    lstm, state = LstmStepper(model), None
    for idx in (0, 5, 64, 7):
        expected, state = model(torch.tensor([[idx]]), state)
        torch.testing.assert_close(lstm.step(idx), expected[0, 0], rtol=1e-4, atol=1e-5)


def main():
    torch.set_num_threads(ARGS.threads)
    # libblas.so.3 is a load-time dependency of libtorch_cpu, so it is mapped once torch is imported
    blas = {"blas": mapped_libblas(), "sgemm": sgemm_provider()}
    log(f"torch {torch.__version__}, threads {torch.get_num_threads()}, {ARGS.seconds} s per workload; "
        f"libblas {blas['blas']}, sgemm_ from {blas['sgemm']}")

    def emit(obj):
        print(json.dumps({**obj, **blas}), flush=True)

    for n in ARGS.names:
        if n == "PEAK":
            gflops, size = run_peak(ARGS.seconds)
            emit({"workload": "peak", "gflops": round(gflops, 3), "size": size})
        elif n == "SAMPLE-B":
            emit({"workload": "sample-B", "chars_per_s": round(run_sample(ARGS.seconds))})
        else:
            log(f"{n}: {WORKLOADS[n]}")
            chars, gflops = run(n, ARGS.seconds)
            emit({"workload": n, "chars_per_s": round(chars), "gflops": round(gflops, 3)})


if __name__ == "__main__":
    main()
