#!/usr/bin/env python3
"""Writes the PyTorch golden cases of the engine (format: test/fixtures/golden/README.md), in float64.

  python3 scripts/golden.py [--out DIR]    regenerate every case (default test/fixtures/golden)
  python3 scripts/golden.py --check DIR    recompute every case in DIR from its own config, inputs and
                                           params, and report the worst difference (rtol 1e-9, atol 1e-12)

Needs only the standard library and torch (Debian: apt install python3-torch; use the python3 that can
import torch). The computations are in golden_reference.py; this file holds the list of cases, draws their
inputs and parameters from a seed derived from each case's name (reruns give identical files) and writes them.
"""
import argparse
import json
import os
import sys
import zlib

try:
    import torch
except ImportError:
    sys.exit(f"golden.py: torch is not importable by {sys.executable} (Debian: apt install python3-torch, "
             "then run it with the python3 that has torch, e.g. /usr/bin/python3)")

from golden_reference import clip, embedding, forward_backward, optimizer, plain, tbptt  # noqa: E402 (needs torch)

GATE_ORDER = {"rnn_tanh": [], "rnn_relu": [], "lstm": ["i", "f", "g", "o"], "gru": ["r", "z", "n"]}
# I, H, O, T, B: pairwise different in every case, so a swapped axis or a transposed matrix cannot pass
SIZES = {
    "rnn_tanh_L1_ce": (4, 6, 5, 7, 2), "rnn_tanh_L1_mse": (5, 4, 2, 7, 3),
    "rnn_tanh_L2_ce": (4, 5, 2, 6, 3), "rnn_tanh_L2_mse": (5, 6, 3, 7, 2),
    "rnn_relu_L1_ce": (4, 5, 6, 7, 3), "rnn_relu_L1_mse": (5, 6, 3, 7, 2),
    "rnn_relu_L2_ce": (4, 6, 5, 7, 2), "rnn_relu_L2_mse": (3, 5, 6, 7, 2),
    "lstm_L1_ce": (3, 5, 4, 7, 2), "lstm_L1_mse": (5, 6, 4, 7, 2),
    "lstm_L2_ce": (3, 4, 5, 6, 2), "lstm_L2_mse": (3, 5, 6, 7, 2),
    "gru_L1_ce": (4, 6, 3, 7, 2), "gru_L1_mse": (6, 5, 4, 7, 2),
    "gru_L2_ce": (5, 6, 4, 7, 3), "gru_L2_mse": (4, 5, 2, 6, 3),
}
TBPTT = {"tbptt_lstm": ("lstm", 2, "cross_entropy", (3, 4, 6, 10, 2)), "tbptt_gru": ("gru", 1, "mse", (3, 5, 4, 8, 2))}
# ids through nn.Embedding (word models, --embed): cell, layers, (V, E, H, T, B), pairwise different
EMBEDDINGS = {"embed_lstm_L1": ("lstm", 1, (9, 4, 5, 7, 3)), "embed_gru_L2": ("gru", 2, (8, 3, 5, 6, 2)),
              "embed_rnn_tanh_L2": ("rnn_tanh", 2, (7, 5, 4, 6, 3))}
OPTIMIZERS = [
    {"name": "sgd", "lr": 0.1, "momentum": 0.9, "dampening": 0.0, "nesterov": False, "weight_decay": 0.0},
    {"name": "adam", "lr": 0.01, "betas": [0.9, 0.999], "eps": 1e-08, "weight_decay": 0.0, "amsgrad": False},
    {"name": "rmsprop", "lr": 0.01, "alpha": 0.99, "eps": 1e-08, "momentum": 0.0, "centered": False, "weight_decay": 0.0},
    {"name": "adagrad", "lr": 0.1, "lr_decay": 0.0, "eps": 1e-10, "weight_decay": 0.0, "initial_accumulator_value": 0.0},
]
OPTIM_BASE, OPTIM_STEPS = "lstm_L2_ce", 3
CLIPS = {"clip_grad_norm": "rnn_tanh_L2_mse", "clip_grad_norm_noclip": "lstm_L2_ce"}
RELU_MARGIN = 1e-3  # no ReLU pre-activation closer to 0 than this: float32 rounding cannot flip a unit
# no gradient of the optimizer base smaller than this: RMSprop's first step divides g by 0.1|g| + 1e-8, which
# for a tinier g would amplify float32 rounding of g beyond the float32 tolerance
GRAD_MARGIN = 1e-5


def make_config(cell, L, loss, sizes):
    I, H, O, T, B = sizes
    return {"cell": cell, "num_layers": L, "input_size": I, "hidden_size": H, "output_size": O, "seq_len": T, "batch": B,
            "loss": loss, "gate_order": GATE_ORDER[cell], "batch_first": False, "bias": True, "dtype": "float64"}


def param_shapes(k):
    G, I, H = len(GATE_ORDER[k["cell"]]) or 1, k["input_size"], k["hidden_size"]
    shapes = {}
    for l in range(k["num_layers"]):
        shapes.update({f"weight_ih_l{l}": (G * H, I if l == 0 else H), f"weight_hh_l{l}": (G * H, H),
                       f"bias_ih_l{l}": (G * H,), f"bias_hh_l{l}": (G * H,)})
    shapes.update({"head.weight": (k["output_size"], H), "head.bias": (k["output_size"],)})
    return shapes


def draw(k, seed):
    """params U(-0.5, 0.5); h0, c0 U(-0.8, 0.8); x and mse targets N(0, 1); class targets uniform"""
    g, f64 = torch.Generator().manual_seed(seed), torch.float64
    L, I, H, O, T, B = (k[n] for n in ("num_layers", "input_size", "hidden_size", "output_size", "seq_len", "batch"))
    params = {n: torch.rand(s, generator=g, dtype=f64) - 0.5 for n, s in param_shapes(k).items()}
    inputs = {"x": torch.randn(T, B, I, generator=g, dtype=f64)}
    ce = k["loss"] == "cross_entropy"
    inputs["targets"] = torch.randint(0, O, (T, B), generator=g) if ce else torch.randn(T, B, O, generator=g, dtype=f64)
    inputs["h0"] = (torch.rand(L, B, H, generator=g, dtype=f64) * 2 - 1) * 0.8
    if k["cell"] == "lstm":
        inputs["c0"] = (torch.rand(L, B, H, generator=g, dtype=f64) * 2 - 1) * 0.8
    return inputs, params


def make_embedding_config(cell, L, sizes):
    V, E, H, T, B = sizes
    k = make_config(cell, L, "cross_entropy", (V, H, V, T, B))
    k.update({"input": "embedding", "num_embeddings": V, "embedding_dim": E})
    return k


def draw_embedding(k, seed):
    """embedding.weight N(0, 1) as nn.Embedding initialises it, the rest as draw(); ids uniform, each id of the
    first half used at least twice so rows gather the gradients of several positions"""
    g, f64 = torch.Generator().manual_seed(seed), torch.float64
    V, E, T, B = k["num_embeddings"], k["embedding_dim"], k["seq_len"], k["batch"]
    _, params = draw({**k, "input_size": E}, seed)
    params = {"embedding.weight": torch.randn(V, E, generator=g, dtype=f64), **params}
    inputs, _ = draw({**k, "input_size": E}, seed + 1)
    del inputs["x"]
    ids = torch.randint(0, V, (T, B), generator=g)
    ids.view(-1)[: V - 1 - V // 2] = torch.arange(V // 2, V - 1)   # ids present at least once…
    ids.view(-1)[-(V // 2):] = torch.arange(V // 2)                 # …and the first half again at the end
    return {"ids": ids, **inputs}, params


def acceptable(case, relu_margin):
    """false for a draw whose ReLUs come too close to 0, whose gradient norm is on the wrong side of 1 for the
    clip case built on it, or (optimizer base) that has a gradient too close to 0"""
    if relu_margin is not None and relu_margin < RELU_MARGIN:
        return False
    grads = [g for n, g in case["grads"].items() if n[5:] not in ("x", "h0", "c0")]
    norm = sum(float((g ** 2).sum()) for g in grads) ** 0.5
    if case["name"] == OPTIM_BASE and min(float(g.abs().min()) for g in grads) < GRAD_MARGIN:
        return False
    regime = {base: (norm > 1.05 if name == "clip_grad_norm" else norm < 0.95) for name, base in CLIPS.items()}
    return regime.get(case["name"], True)


def write(out, name, case, entry, index):
    with open(os.path.join(out, f"{name}.json"), "w") as f:
        f.write(json.dumps(plain(case), separators=(",", ":")) + "\n")
    index.append({"file": f"{name}.json", "kind": case["kind"], **entry})


def generate(out):
    os.makedirs(out, exist_ok=True)
    index, bases = [], {}
    for name, sizes in SIZES.items():
        cell, rest = name.split("_L")
        loss = "cross_entropy" if rest.endswith("_ce") else "mse"
        k = make_config(cell, int(rest[0]), loss, sizes)
        seed = zlib.crc32(name.encode())
        for attempt in range(1000):
            inputs, params = draw(k, seed + attempt)
            case, relu_margin = forward_backward(name, k, inputs, params)
            if acceptable(case, relu_margin):
                break
        else:
            sys.exit(f"golden.py: no acceptable draw for {name}")
        bases[name] = (k, inputs, params)
        write(out, name, case, {"cell": cell, "num_layers": k["num_layers"], "loss": loss}, index)
    for o in OPTIMIZERS:
        name = f"optim_{o['name']}"
        case = optimizer(name, OPTIM_BASE, *bases[OPTIM_BASE], o, OPTIM_STEPS)
        write(out, name, case, {"optimizer": o["name"], "base_case": OPTIM_BASE}, index)
    for name, base in CLIPS.items():
        write(out, name, clip(name, base, *bases[base]), {"base_case": base}, index)
    for name, (cell, L, loss, sizes) in TBPTT.items():
        k = make_config(cell, L, loss, sizes)
        k.update({"chunk_len": sizes[3] // 2, "num_chunks": 2})
        inputs, params = draw(k, zlib.crc32(name.encode()))
        write(out, name, tbptt(name, k, inputs, params), {"cell": cell, "num_layers": L, "loss": loss}, index)
    for name, (cell, L, sizes) in EMBEDDINGS.items():
        k = make_embedding_config(cell, L, sizes)
        inputs, params = draw_embedding(k, zlib.crc32(name.encode()))
        write(out, name, embedding(name, k, inputs, params), {"cell": cell, "num_layers": L, "loss": "cross_entropy"}, index)
    with open(os.path.join(out, "index.json"), "w") as f:
        f.write(json.dumps({"format": "rnn-golden-v1", "files": index}, separators=(",", ":")) + "\n")
    size = sum(os.path.getsize(os.path.join(out, e["file"])) for e in index)
    print(f"golden.py: {len(index)} cases, {size} bytes in {out}", file=sys.stderr)


def recompute(c):
    k = c["config"]
    t = lambda v: torch.tensor(v)
    inputs = {n: t(v) for n, v in c["inputs"].items()}
    params = {n: t(v) for n, v in c["params"].items()}
    if c["kind"] == "forward_backward":
        return forward_backward(c["name"], k, inputs, params)[0]
    if c["kind"] == "optimizer":
        return optimizer(c["name"], c["base_case"], k, inputs, params, c["optimizer"], c["num_steps"])
    if c["kind"] == "clip_grad_norm":
        return clip(c["name"], c["base_case"], k, inputs, params)
    if c["kind"] == "embedding":
        return embedding(c["name"], k, inputs, params)
    return tbptt(c["name"], k, inputs, params)


def compare(path, got, want, worst, errors):
    """every number within rtol 1e-9 + atol 1e-12, everything else (keys, ints, strings) equal"""
    if isinstance(want, dict) and isinstance(got, dict):
        if list(got) != list(want):
            errors.append(f"{path}: keys {list(got)}, want {list(want)}")
        for n in want:
            if n in got:
                compare(f"{path}.{n}", got[n], want[n], worst, errors)
    elif isinstance(want, list) and isinstance(got, list) and len(got) == len(want):
        for i, (a, b) in enumerate(zip(got, want)):
            compare(f"{path}[{i}]", a, b, worst, errors)
    elif isinstance(want, float) and isinstance(got, float):
        diff = abs(got - want)
        worst[0] = max(worst[0], diff / max(abs(want), 1e-3))
        if diff > 1e-12 + 1e-9 * abs(want):
            errors.append(f"{path}: got {got!r}, want {want!r}")
    elif got != want or type(got) is not type(want):
        errors.append(f"{path}: got {got!r}, want {want!r}")


def check(folder):
    with open(os.path.join(folder, "index.json")) as f:
        index = json.load(f)
    failed = 0
    for e in index["files"]:
        with open(os.path.join(folder, e["file"])) as f:
            want = json.load(f)
        worst, errors = [0.0], []
        compare(e["file"], plain(recompute(want)), want, worst, errors)
        failed += bool(errors)
        print(f"{e['file']}: {'ok' if not errors else 'DIFFERS'}, worst relative difference {worst[0]:.2e}")
        for line in errors[:5]:
            print(f"  {line}")
    if failed:
        sys.exit(f"golden.py: {failed} of {len(index['files'])} cases differ")


def main():
    ap = argparse.ArgumentParser(description="PyTorch float64 golden cases for the rnn engine")
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--out", default=os.path.join(here, "..", "test", "fixtures", "golden"))
    ap.add_argument("--check", metavar="DIR", help="recompute the cases in DIR and compare instead of writing")
    args = ap.parse_args()
    check(args.check) if args.check else generate(os.path.normpath(args.out))


if __name__ == "__main__":
    main()
