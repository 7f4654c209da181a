#!/usr/bin/env python3
"""rnn's PyTorch engine. `rnn train --engine torch` runs this file through torchrun, one process per --nproc
(gloo on CPU, NCCL on CUDA), on a run folder the CLI wrote (src/torch/run-folder.ts says what is in it:
run.json, the encoded data, init.safetensors). It writes state.safetensors at every validation and at the
end (the CLI, or `rnn import-run`, turns it into a checkpoint), and stops after the current step, saving,
when a file named `stop` appears in the folder (the CLI's Ctrl-C) or on SIGINT/SIGTERM.

It takes the built-in engine's steps (src/tasks/train.ts): the same batches (text: B streams of T-chunks,
the state carried from chunk to chunk; CSV: random windows drawn by the same xoshiro128** generator), the
same losses, clipping and torch.optim rules. Process r of n reads streams [rB/n, (r+1)B/n); DDP averages
the gradients of the n equal shares, which is the gradient of the whole batch. Rank 0 reports JSON lines
on stdout: ready, step, skipped, eval, saved, nan, done, error. Standard library and torch only.
"""
import json
import math
import os
import resource
import signal
import struct
import sys
import time

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F

RUN_FORMAT, RUN_VERSION = "rnn-torch-run", 1
BUFFERS = {"sgd": ["momentum_buffer"], "adam": ["exp_avg", "exp_avg_sq"], "rmsprop": ["square_avg"], "adagrad": ["sum"]}
M32 = 0xFFFFFFFF
FORECAST_BLOCK = 256  # origins validated together (src/tasks/rolling-forecast.ts)

def emit(event, **fields):
    sys.stdout.write(json.dumps({"event": event, **fields}) + "\n")
    sys.stdout.flush()

def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    meta, at = header.pop("__metadata__", None) or {}, 8 + n
    blob = lambda e: bytearray(raw[at + e["data_offsets"][0]:at + e["data_offsets"][1]])
    return {k: torch.frombuffer(blob(e), dtype=torch.float32).reshape(e["shape"]) for k, e in header.items()}, meta

def write_safetensors(path, tensors, meta):
    """Atomically (a temporary file renamed over the old one): a reader sees the old file or the new one."""
    header, offset, blobs = {"__metadata__": meta}, 0, []
    for name, t in tensors.items():
        blob = bytearray(4 * t.numel())
        torch.frombuffer(blob, dtype=torch.float32).copy_(t.detach().reshape(-1))
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    head = json.dumps(header).encode()
    head += b" " * (-len(head) % 8)
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(head)) + head)
        for b in blobs:
            f.write(b)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)

def rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & M32

class Rng:
    """src/engine/rng.ts's xoshiro128**, continued from the state words the CLI hands over."""

    def __init__(self, words):
        self.s = [int(w) & M32 for w in words]

    def int(self, n):
        a, b, c, d = self.s
        r, t = (rotl((b * 5) & M32, 7) * 9) & M32, (b << 9) & M32
        c, d = c ^ a, d ^ b
        b, a = b ^ c, a ^ d
        self.s = [a, b, c ^ t, rotl(d, 11)]
        return math.floor((r / 4294967296) * n)

class Net(nn.Module):
    """torch.nn's RNN, LSTM or GRU and a linear head at every step, with the engine's parameter names."""

    def __init__(self, m, dropout):
        super().__init__()
        kind = {"rnn_tanh": nn.RNN, "rnn_relu": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[m["cell"]]
        extra = {"nonlinearity": "relu" if m["cell"] == "rnn_relu" else "tanh"} if kind is nn.RNN else {}
        L = m["num_layers"]
        self.rnn = kind(m["input_size"], m["hidden_size"], L, dropout=dropout if L > 1 else 0.0, **extra)
        self.head = nn.Linear(m["hidden_size"], m["output_size"])
        self.lstm, self.one_hot, self.V = kind is nn.LSTM, m["input"] == "one_hot", m["input_size"]
        self.named = [(n[4:] if n.startswith("rnn.") else n, p) for n, p in self.named_parameters()]

    def forward(self, x, state):
        """state: None (zeros), (h,) or (h, c), each [L][B][H]; returns the outputs and the next state, alike."""
        if self.one_hot:  # ids: their product with W_ih is the engine's column gather of it
            x = torch.zeros(*x.shape, self.V, device=x.device).scatter_(2, x.long().unsqueeze(2), 1.0)
        h, s = self.rnn(x, state if state is None or self.lstm else state[0])
        return self.head(h), s if self.lstm else (s,)

def advance(cursor, per_epoch):
    cursor["chunk"] += 1
    if cursor["chunk"] >= per_epoch:
        cursor["chunk"], cursor["epoch"] = 0, cursor["epoch"] + 1

def text_batches(ids, B, T, lo, hi, cursor):
    """src/data/text.ts's StreamBatcher over this process's streams [lo, hi): (x, y, carry) at the cursor."""
    L = ids.numel() // B
    streams = ids[:B * L].view(B, L)[lo:hi]
    while True:
        at, carry = cursor["chunk"] * T, cursor["chunk"] > 0
        s = streams[:, at:at + T + 1].t()
        advance(cursor, (L - 1) // T)
        yield s[:-1], s[1:], carry

def series_batches(X, Y, d, B, T, lo, hi, cursor, rng):
    """src/data/series.ts's WindowBatcher: B windows of T rows at random starts, of which this process reads [lo, hi)."""
    while True:
        starts = [d["first_row"] + rng.int(d["windows"]) for _ in range(B)][lo:hi]
        rows = torch.tensor(starts)[None, :] + torch.arange(T)[:, None]
        advance(cursor, max(1, math.ceil(d["windows"] / B)))
        yield X[rows], Y[rows], False

def share(n, rank, world):
    return n * rank // world, n * (rank + 1) // world

def reduce_sum(values, dev):
    t = torch.tensor(values, dtype=torch.float64, device=dev)
    dist.all_reduce(t)
    return t.tolist()

@torch.no_grad()
def validate_text(net, val, S, T, rank, world, dev):
    """Mean cross-entropy over val read as S streams (tasks/evaluate.ts), the streams shared out."""
    L, C = val.numel() // S, max(T, 256)  # chunks longer than T give the same result: the state carries
    lo, hi = share(S, rank, world)
    total, count, state, v = 0.0, 0, None, val[:S * L].view(S, L)[lo:hi]
    for start in range(0, L - 1, C) if hi > lo else []:
        end = min(start + C, L - 1)
        out, state = net(v[:, start:end].t().to(dev), state)
        y = v[:, start + 1:end + 1].t().reshape(-1).long().to(dev)
        total += F.cross_entropy(out.reshape(y.numel(), -1), y, reduction="none", ignore_index=-1).double().sum().item()
        count += int((y >= 0).sum())
    total, count = reduce_sum([total, count], dev)
    return total / count

@torch.no_grad()
def validate_series(net, X, Y, d, T, rank, world, dev):
    """Mean squared one-step error over the validation rows from T rows of context (series-source.ts)."""
    origins = list(range(d["train_rows"], d["train_rows"] + d["val_rows"]))
    lo, hi = share(len(origins), rank, world)
    total = 0.0
    for s in range(lo, hi, FORECAST_BLOCK):
        r = torch.tensor(origins[s:min(hi, s + FORECAST_BLOCK)])
        out, _ = net(X[r[None, :] - T + torch.arange(T)[:, None]].to(dev), None)
        total += ((out[-1].double() - Y[r - 1].to(dev).double()) ** 2).sum().item()
    return reduce_sum([total], dev)[0] / (len(origins) * Y.shape[1])

def make_optimizer(params, o, lr, named, tensors, step, dev):
    """torch.optim's optimizer, its per-parameter state the engine's buffers (none before the first step, as torch)."""
    kind, kw = {"sgd": (torch.optim.SGD, {"momentum": o["momentum"]}),
                "adam": (torch.optim.Adam, {"betas": tuple(o["betas"]), "eps": o["eps"]}),
                "rmsprop": (torch.optim.RMSprop, {"alpha": o["alpha"], "eps": o["eps"]}),
                "adagrad": (torch.optim.Adagrad, {"eps": o["eps"]})}[o["name"]]
    opt = kind(params, lr=lr, **kw)
    for n, p in named if step > 0 else []:
        opt.state[p].update({b: tensors[f"{b}.{n}"].to(dev).clone() for b in BUFFERS[o["name"]]})
        if o["name"] != "sgd":
            opt.state[p]["step"] = step if o["name"] == "rmsprop" else torch.tensor(float(step))
    return opt

def buffer_of(opt, p, name):
    """torch.optim's buffer, or the zeros the engine holds where torch has none (sgd without momentum, step 0)."""
    v = opt.state[p].get(name) if p in opt.state else None
    return v if v is not None else torch.zeros_like(p)

def gather(s, world):
    """The carried state [L][B/n][H] of every process, as [L][B][H] in stream order."""
    parts = [torch.empty_like(s) for _ in range(world)]
    dist.all_gather(parts, s.contiguous())
    return torch.cat(parts, dim=1)

def lr_factor(s, horizon, c, knot=None):
    """The factor on the base lr at step s (from 1): src/engine/schedule.ts's lrFactor."""
    w = c["warmup"]
    if w > 0 and s <= w:
        return s / w
    if c["lr_schedule"] in ("constant", "plateau") or horizon is None:
        return 1.0
    p = decay_progress(s, horizon, w, knot)
    f = c["lr_floor"]
    return f + (1 - f) * 0.5 * (1 + math.cos(math.pi * p)) if c["lr_schedule"] == "cosine" else 1 - (1 - f) * p


def decay_progress(s, horizon, w, knot):
    """src/engine/schedule.ts's decayProgress: how far the decay has gone at step s, after the knot if any."""
    line = lambda a, p0, b: 1.0 if b <= a else p0 + (1 - p0) * (s - a) / (b - a)
    if knot is None:
        p = line(w, 0.0, horizon)
    elif s > knot["step"]:
        p = line(knot["step"], knot["p"], horizon)
    else:
        p = 0.0 if knot["step"] <= w else knot["p"] * (s - w) / (knot["step"] - w)
    return min(1.0, max(0.0, p))


# a time budget's horizon, measured as src/tasks/time-budget.ts does: over the steps from the 5th on, at
# least 20, then again over the steps since at these fractions of the budget
MEASURE_AFTER, MEASURE_STEPS, REMEASURE_AT = 5, 20, (0.5, 0.75)


def budget_horizon(step, elapsed, budget, per_step, per_eval, eval_every):
    """src/engine/schedule.ts's budgetHorizon: the steps that fit in the time left, validations included."""
    left = budget - elapsed - per_eval
    return step + max(1, math.floor(left / (per_step + per_eval / eval_every)))


def main(folder):
    run = json.load(open(os.path.join(folder, "run.json")))
    if run.get("format") != RUN_FORMAT or run.get("version") != RUN_VERSION:
        raise RuntimeError(f"{folder}/run.json: not a version {RUN_VERSION} {RUN_FORMAT} (written by another version of rnn?)")
    cuda, local = run["device"] == "cuda", int(os.environ.get("LOCAL_RANK", "0"))
    dev = torch.device("cuda", local) if cuda else torch.device("cpu")
    if cuda:
        torch.cuda.set_device(dev)  # before NCCL starts, so each process talks from its own GPU
    dist.init_process_group("nccl" if cuda else "gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    say = emit if rank == 0 else (lambda *a, **k: None)
    m, o, T, B, d = run["model"], run["optimizer"], run["seq_len"], run["batch_size"], run["data"]
    if B % world != 0:
        raise RuntimeError(f"--batch {B} is not a multiple of the {world} processes")
    lo, hi = share(B, rank, world)
    stop = {"asked": False}
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.update(asked=True))
    torch.manual_seed(run["seed"] * 1000 + rank)  # dropout masks: torch's own, not the engine's
    tensors, meta = read_safetensors(os.path.join(folder, "init.safetensors"))
    at = json.loads(meta["state"])
    progress, cursor, lr, opt_step = at["progress"], at["cursor"], at["lr"], at["optimizer_step"]
    sched = run.get("schedule") or {"lr_schedule": "constant", "warmup": 0, "lr_floor": 0.1, "peak": lr}
    # target None: a time budget, whose horizon (and end) the first steps measure unless it was stored
    target, horizon, knot = run["target"], run.get("horizon", run["target"]), run.get("knot")
    measure = {"from": None, "validating": 0.0, "evals": 0, "next": None, "per_eval": 0.0} \
        if horizon is None and sched["lr_schedule"] in ("cosine", "linear") else None
    net = Net(m, run["dropout"])
    named, params = net.named, [p for _, p in net.named]
    with torch.no_grad():
        for n, p in named:
            p.copy_(tensors[f"param.{n}"])
    net.to(dev)
    model = nn.parallel.DistributedDataParallel(net, device_ids=[local] if cuda else None, broadcast_buffers=False)
    best = [tensors[f"best.{n}"].clone() for n, _ in named]
    opt = make_optimizer(params, o, lr, named, tensors, opt_step, dev)
    state = tuple(tensors[k][:, lo:hi].contiguous().to(dev) for k in (("state.h", "state.c") if net.lstm else ("state.h",)))
    if run["kind"] == "text":
        # mapped, not read: the processes share one copy of a large corpus in the page cache (nothing writes it)
        ids = torch.from_file(os.path.join(folder, "tokens.i32"), shared=True, size=d["train"] + d["val"], dtype=torch.int32)
        batches, rng = text_batches(ids[:d["train"]], B, T, lo, hi, cursor), Rng(at["rng"])
        validate = lambda: validate_text(net, ids[d["train"]:], d["val_streams"], T, rank, world, dev)
        loss_of = lambda out, y: F.cross_entropy(out.reshape(y.numel(), -1), y.reshape(-1).long())
    else:
        rows, I, k = d["rows"], m["input_size"], m["output_size"]
        raw = torch.from_file(os.path.join(folder, "series.f32"), shared=True, size=rows * (I + k), dtype=torch.float32)
        X, Y = raw[:rows * I].view(rows, I), raw[rows * I:].view(rows, k)
        rng = Rng(at["rng"])
        batches = series_batches(X, Y, d, B, T, lo, hi, cursor, rng)
        validate = lambda: validate_series(net, X, Y, d, T, rank, world, dev)
        loss_of = F.mse_loss

    start, before, t0 = progress["step"], progress["seconds"], time.time()
    elapsed = lambda: before + time.time() - t0
    mean, last = {"loss": 0.0, "norm": 0.0, "count": 0}, {"train": None, "val": None, "eval_step": -1}

    def save():
        full = [gather(s, world) for s in state]
        if rank == 0:
            if progress["best_step"] is None:
                best[:] = [p.detach().cpu().clone() for p in params]
            out = {f"param.{n}": p.cpu() for n, p in named}
            out.update({f"best.{n}": b for (n, _), b in zip(named, best)})
            for b in BUFFERS[o["name"]]:
                out.update({f"{b}.{n}": buffer_of(opt, p, b).cpu() for n, p in named})
            out.update({k: s.cpu() for k, s in zip(("state.h", "state.c"), full)})
            progress["seconds"] = elapsed()
            now = {"progress": progress, "cursor": cursor, "lr": lr, "optimizer_step": opt_step,
                   "rng": rng.s, "train_loss": last["train"], "val_loss": last["val"], "horizon": horizon,
                   "knot": knot}
            write_safetensors(os.path.join(folder, "state.safetensors"), out, {"state": json.dumps(now)})
        say("saved", step=progress["step"])

    def evaluate():
        nonlocal lr
        net.eval()
        v = validate()
        net.train()
        if not math.isfinite(v):
            return say("nan", step=progress["step"], what=f"validation loss is {v}")
        last["eval_step"], last["val"] = progress["step"], v
        last["train"] = mean["loss"] / mean["count"] if mean["count"] > 0 else last["train"]
        improved = progress["best_val_loss"] is None or v < progress["best_val_loss"]
        if improved:
            progress.update(best_val_loss=v, best_step=progress["step"], evals_since_best=0)
            best[:] = [p.detach().cpu().clone() for p in params]
        else:
            progress["evals_since_best"] += 1
            stalls = progress["evals_since_best"]
            if sched["lr_schedule"] == "plateau" and stalls % 2 == 0:  # schedule.ts's afterValidation
                lr = max(lr / 2, sched["peak"] * sched["lr_floor"])
        grad_norm = mean["norm"] / mean["count"] if mean["count"] > 0 else None
        progress["history"].append({"step": progress["step"], "seconds": elapsed(),
                                    "lr": lr * lr_factor(progress["step"], horizon, sched, knot), "train_loss": last["train"], "val_loss": v,
                                    "grad_norm": grad_norm})
        mean.update(loss=0.0, norm=0.0, count=0)
        say("eval", step=progress["step"], train_loss=last["train"], val_loss=v, best_val_loss=progress["best_val_loss"], improved=improved,
            seconds=elapsed(), peak_rss_bytes=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
        save()
        return True

    # a time budget's measurements: where the window began, and the seconds a step took since then
    mark = lambda: {"step": progress["step"], "seconds": elapsed(), "validating": measure["validating"], "evals": measure["evals"]}
    since = lambda: (elapsed() - measure["from"]["seconds"] - (measure["validating"] - measure["from"]["validating"])) \
        / max(1, progress["step"] - measure["from"]["step"])
    say("ready", processes=world, backend=dist.get_backend(), device=str(dev), torch=torch.__version__, threads=torch.get_num_threads())
    skips, stopped = 0, "done"
    while target is None or progress["step"] < target:
        asked = stop["asked"] or (rank == 0 and os.path.exists(os.path.join(folder, "stop")))
        over = rank == 0 and run["max_seconds"] is not None and elapsed() >= run["max_seconds"]
        # rank 0's clock says when to measure again: every process must take part
        again = rank == 0 and measure is not None and measure["next"] is not None and measure["next"] < len(REMEASURE_AT) \
            and elapsed() >= REMEASURE_AT[measure["next"]] * run["max_seconds"]
        asked, over, again = reduce_sum([float(asked), float(over), float(again)], dev)
        if asked > 0 or over > 0:
            stopped = "interrupted" if asked > 0 else "time_limit"
            break
        epoch_before = cursor["epoch"]
        x, y, carry = next(batches)
        x, y = x.to(dev), y.to(dev)
        if not carry:
            state = tuple(s.zero_() for s in state)
        opt.zero_grad(set_to_none=False)
        out, next_state = model(x, state)
        loss_t = loss_of(out, y)
        loss, norm = reduce_sum([loss_t.item()], dev)[0] / world, float("nan")
        if math.isfinite(loss):
            loss_t.backward()
            if run["clip_value"] > 0:
                torch.nn.utils.clip_grad_value_(params, run["clip_value"])
            norm = torch.nn.utils.clip_grad_norm_(params, run["clip"] if run["clip"] > 0 else float("inf")).item()
        if not (math.isfinite(loss) and math.isfinite(norm)):  # the batch is not stepped on (and the state not carried)
            what, skips = f"loss is {loss}" if not math.isfinite(loss) else f"gradient norm is {norm}", skips + 1
            if run["on_nan"] == "stop" or skips >= 10:
                more = "" if run["on_nan"] == "stop" else ", the 10th batch in a row skipped (--on-nan skip)"
                return say("nan", step=progress["step"] + 1, what=what + more)
            progress["step"] += 1
            say("skipped", step=progress["step"], reason=what)
            continue
        state = tuple(s.detach() for s in next_state)
        step_lr = lr * lr_factor(progress["step"] + 1, horizon, sched, knot)
        for g in opt.param_groups:
            g["lr"] = step_lr
        opt.step()
        opt_step, skips = opt_step + 1, 0
        progress["step"] += 1
        progress["chars"] += T * B
        if cursor["epoch"] != epoch_before:
            progress["epoch"], lr = cursor["epoch"], lr * run["lr_decay"]
        mean.update(loss=mean["loss"] + loss, norm=mean["norm"] + norm, count=mean["count"] + 1)
        say("step", step=progress["step"], loss=loss, lr=step_lr, grad_norm=norm, seconds=elapsed())
        if progress["step"] % run["eval_every"] == 0:
            t = time.time()
            if not evaluate():
                return
            if measure is not None:
                measure["validating"] += time.time() - t
                measure["evals"] += 1
            if run["patience"] > 0 and progress["evals_since_best"] >= run["patience"]:
                stopped = "early_stop"
                break
        taken = progress["step"] - start
        if measure is not None and measure["next"] is None:
            if taken == MEASURE_AFTER:
                measure["from"] = mark()
            if measure["from"] is None or taken < MEASURE_AFTER + MEASURE_STEPS or progress["step"] < sched["warmup"]:
                continue
            per_step = since()
            t = time.time()
            net.eval()
            validate()
            net.train()
            measure["per_eval"] = time.time() - t
            # every process takes rank 0's figure: they must stop at the same step
            mine = budget_horizon(progress["step"], elapsed(), run["max_seconds"], per_step, measure["per_eval"], run["eval_every"])
            target = horizon = int(reduce_sum([float(mine if rank == 0 else 0)], dev)[0])
            measure["next"] = next((i for i, f in enumerate(REMEASURE_AT) if f * run["max_seconds"] > elapsed()), len(REMEASURE_AT))
            measure["from"] = mark()
            say("horizon", steps=horizon, seconds_per_step=per_step, seconds_per_eval=measure["per_eval"])
        elif again > 0:
            now = elapsed()
            while measure["next"] < len(REMEASURE_AT) and REMEASURE_AT[measure["next"]] * run["max_seconds"] <= now:
                measure["next"] += 1
            per_step, evals = since(), measure["evals"] - measure["from"]["evals"]
            if evals > 0:
                measure["per_eval"] = (measure["validating"] - measure["from"]["validating"]) / evals
            knot = {"step": progress["step"], "p": decay_progress(progress["step"], horizon, sched["warmup"], knot)}
            mine = budget_horizon(progress["step"], now, run["max_seconds"], per_step, measure["per_eval"], run["eval_every"])
            target = horizon = int(reduce_sum([float(mine if rank == 0 else 0)], dev)[0])
            measure["from"] = mark()
            say("horizon", steps=horizon, seconds_per_step=per_step, seconds_per_eval=measure["per_eval"], at=now)
    if stopped == "interrupted" and progress["step"] == start:
        return say("done", stopped=stopped, step=start)
    if stopped != "interrupted" and last["eval_step"] != progress["step"] and progress["step"] > start:
        if not evaluate():
            return
    elif last["eval_step"] != progress["step"]:
        save()
    say("done", stopped=stopped, step=progress["step"])

if __name__ == "__main__":
    try:
        main(sys.argv[1])
    except Exception as e:  # one line for the CLI; the traceback goes to the worker's log
        emit("error", rank=int(os.environ.get("RANK", "0")), message=f"{type(e).__name__}: {(str(e).splitlines() or [''])[0]}")
        raise
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()
