"""The reference computations behind scripts/golden.py: one golden case (format: test/fixtures/golden/README.md)
from its config, inputs and parameters, all in float64 torch tensors.

Forward values, losses and gradients come from nn.RNN/nn.LSTM/nn.GRU + nn.Linear, torch.optim and
clip_grad_norm_. The per-step state gradients come from the same model unrolled one step at a time in autograd
(each h_t and c_t a tensor of its own), written from the README's equations; both computations must agree on
every shared quantity before a case is returned, so a slip in either one stops the script.
"""
import sys

import torch
import torch.nn.functional as F
from torch import nn

torch.set_default_dtype(torch.float64)


def build(k, params):
    cls = {"lstm": nn.LSTM, "gru": nn.GRU}.get(k["cell"], nn.RNN)
    extra = {"nonlinearity": k["cell"][4:]} if cls is nn.RNN else {}
    rnn = cls(k["input_size"], k["hidden_size"], num_layers=k["num_layers"], bias=True, batch_first=False, **extra)
    head = nn.Linear(k["hidden_size"], k["output_size"])
    with torch.no_grad():
        for n, p in named(rnn, head):
            p.copy_(params[n])
    return rnn, head


def named(rnn, head):
    return list(rnn.named_parameters()) + [("head.weight", head.weight), ("head.bias", head.bias)]


def loss_of(k, y, targets):
    if k["loss"] == "cross_entropy":
        return F.cross_entropy(y.reshape(-1, k["output_size"]), targets.reshape(-1))
    return F.mse_loss(y, targets)


def run_module(k, rnn, head, x, targets, h0, c0):
    """one forward + backward of the modules; x, h0, c0 become leaves whose .grad is filled"""
    rnn.zero_grad(set_to_none=True)
    head.zero_grad(set_to_none=True)
    x, h0 = x.clone().requires_grad_(), h0.clone().requires_grad_()
    c0 = None if c0 is None else c0.clone().requires_grad_()
    out, state = rnn(x, h0 if c0 is None else (h0, c0))
    y = head(out)
    loss = loss_of(k, y, targets)
    loss.backward()
    h_n, c_n = state if c0 is not None else (state, None)
    return {"out": out, "y": y, "h_n": h_n, "c_n": c_n, "loss": loss, "x": x, "h0": h0, "c0": c0}


def step(cell, p, l, x, h, c):
    """one cell step written from the README's equations; returns (h, c, pre-activation)"""
    w_ih, w_hh, b_ih, b_hh = (p[f"{n}_l{l}"] for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))
    u, v = F.linear(x, w_ih, b_ih), F.linear(h, w_hh, b_hh)
    if cell == "lstm":
        a_i, a_f, a_g, a_o = (u + v).chunk(4, 1)
        c = torch.sigmoid(a_f) * c + torch.sigmoid(a_i) * torch.tanh(a_g)
        return torch.sigmoid(a_o) * torch.tanh(c), c, None
    if cell == "gru":
        (u_r, u_z, u_n), (v_r, v_z, v_n) = u.chunk(3, 1), v.chunk(3, 1)
        r, z = torch.sigmoid(u_r + v_r), torch.sigmoid(u_z + v_z)
        n = torch.tanh(u_n + r * v_n)
        return (1 - z) * n + z * h, None, None
    a = u + v
    return (torch.tanh(a) if cell == "rnn_tanh" else torch.relu(a)), None, a


def unrolled(k, params, x, targets, h0, c0):
    """the same model one step at a time: h_t.grad is the total dL/dh_t, and the copy of h_t handed to the
    next layer (or the head) gets only the direct gradient"""
    p = {n: t.clone().requires_grad_() for n, t in params.items()}
    x, h0 = x.clone().requires_grad_(), h0.clone().requires_grad_()
    c0 = None if c0 is None else c0.clone().requires_grad_()
    inp, hs, cs, outs, pre = list(x), [], [], [], []
    for l in range(k["num_layers"]):
        h, c = h0[l], None if c0 is None else c0[l]
        for rows in (hs, cs, outs):
            rows.append([])
        for t in range(len(inp)):
            h, c, a = step(k["cell"], p, l, inp[t], h, c)
            h.retain_grad()
            hs[l].append(h)
            if c is not None:
                c.retain_grad()
                cs[l].append(c)
            if a is not None:
                pre.append(a.detach())
            o = h.clone()
            o.retain_grad()
            outs[l].append(o)
        inp = outs[l]
    y = F.linear(torch.stack(inp), p["head.weight"], p["head.bias"])
    loss = loss_of(k, y, targets)
    loss.backward()
    def stack(rows, grad):
        return torch.stack([torch.stack([(t.grad if grad else t.detach()) for t in row]) for row in rows])
    r = {"loss": loss, "layer_outputs": stack(hs, False), "dh_total": stack(hs, True), "dh_direct": stack(outs, True),
         "grads": {n: t.grad for n, t in p.items()}, "x": x.grad, "h0": h0.grad, "pre": pre}
    if c0 is not None:
        r.update({"c_n": torch.stack([row[-1].detach() for row in cs]), "dc_total": stack(cs, True), "c0": c0.grad})
    return r


def agree(what, a, b):
    if not torch.allclose(a, b, rtol=1e-10, atol=1e-13):
        sys.exit(f"golden.py: the module and the unrolled model disagree on {what}: {(a - b).abs().max().item():.3g}")


def per_example(v):
    return v.norm(dim=-1)


def over_batch(v):
    return v.flatten(-2).norm(dim=-1)


def header(kind, name, k, inputs, params, base_case=None, **rest):
    base = {} if base_case is None else {"base_case": base_case}
    return {"format": "rnn-golden-v1", "kind": kind, "name": name, **base,
            "config": k, "inputs": inputs, "params": params, **rest}


def param_grads(rnn, head):
    return {f"grad.{n}": p.grad.clone() for n, p in named(rnn, head)}


def forward_backward(name, k, inputs, params):
    rnn, head = build(k, params)
    c0 = inputs.get("c0")
    m = run_module(k, rnn, head, inputs["x"], inputs["targets"], inputs["h0"], c0)
    u = unrolled(k, params, inputs["x"], inputs["targets"], inputs["h0"], c0)
    L = k["num_layers"]
    agree("loss", m["loss"], u["loss"])
    agree("output", m["out"], u["layer_outputs"][L - 1])
    agree("h_n", m["h_n"], u["layer_outputs"][:, -1])
    if c0 is not None:
        agree("c_n", m["c_n"], u["c_n"])
    for n, p in named(rnn, head):
        agree(f"grad.{n}", p.grad, u["grads"][n])
    for n in ("x", "h0") + (("c0",) if c0 is not None else ()):
        agree(f"grad.{n}", m[n].grad, u[n])
    fwd = {"layer_outputs": u["layer_outputs"], "output": m["out"], "head_output": m["y"], "h_n": m["h_n"]}
    if c0 is not None:
        fwd["c_n"] = m["c_n"]
    fwd["loss"] = m["loss"]
    grads = param_grads(rnn, head)
    grads.update({"grad.x": m["x"].grad, "grad.h0": m["h0"].grad})
    sg = {"dh_total": u["dh_total"], "dh_total_norm_per_example": per_example(u["dh_total"]),
          "dh_total_norm_over_batch": over_batch(u["dh_total"]),
          "dh_direct_norm_per_example": per_example(u["dh_direct"]), "dh_direct_norm_over_batch": over_batch(u["dh_direct"])}
    if c0 is not None:
        grads["grad.c0"] = m["c0"].grad
        sg.update({"dc_total": u["dc_total"], "dc_total_norm_per_example": per_example(u["dc_total"]),
                   "dc_total_norm_over_batch": over_batch(u["dc_total"])})
    case = header("forward_backward", name, k, inputs, params, forward=fwd, grads=grads, state_grads=sg)
    relu_margin = min((a.abs().min().item() for a in u["pre"]), default=None) if k["cell"] == "rnn_relu" else None
    return case, relu_margin


def optimizer(name, base, k, inputs, params, o, num_steps):
    rnn, head = build(k, params)
    hp = {n: v for n, v in o.items() if n not in ("name",)}
    if "betas" in hp:
        hp["betas"] = tuple(hp["betas"])
    cls = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "rmsprop": torch.optim.RMSprop, "adagrad": torch.optim.Adagrad}
    opt = cls[o["name"]]([p for _, p in named(rnn, head)], **hp)
    steps = []
    for s in range(1, num_steps + 1):
        m = run_module(k, rnn, head, inputs["x"], inputs["targets"], inputs["h0"], inputs.get("c0"))
        grads = param_grads(rnn, head)
        opt.step()
        steps.append({"step": s, "loss": m["loss"], "grads": grads, "params": {n: p.detach().clone() for n, p in named(rnn, head)}})
    final = run_module(k, rnn, head, inputs["x"], inputs["targets"], inputs["h0"], inputs.get("c0"))["loss"]
    return header("optimizer", name, k, inputs, params, base_case=base, optimizer=o, num_steps=num_steps, steps=steps, final_loss=final)


def clip(name, base, k, inputs, params):
    rnn, head = build(k, params)
    m = run_module(k, rnn, head, inputs["x"], inputs["targets"], inputs["h0"], inputs.get("c0"))
    grads = param_grads(rnn, head)
    total = torch.nn.utils.clip_grad_norm_([p for _, p in named(rnn, head)], max_norm=1.0, norm_type=2.0)
    coef = min(1.0, 1.0 / (total.item() + 1e-6))
    return header("clip_grad_norm", name, k, inputs, params, base_case=base, max_norm=1.0, norm_type=2.0, eps=1e-06,
                  loss=m["loss"], grads=grads, total_norm=total, clip_coef=coef, grads_clipped=param_grads(rnn, head))


def tbptt(name, k, inputs, params):
    rnn, head = build(k, params)
    n, T = k["num_chunks"], k["chunk_len"]
    h, c, chunks = inputs["h0"], inputs.get("c0"), []
    for i in range(n):
        t0, t1 = i * T, (i + 1) * T
        m = run_module(k, rnn, head, inputs["x"][t0:t1], inputs["targets"][t0:t1], h, c)
        ch = {"index": i, "t_start": t0, "t_end": t1, "h_init": h}
        if c is not None:
            ch["c_init"] = c
        ch.update({"output": m["out"], "head_output": m["y"], "h_n": m["h_n"]})
        if c is not None:
            ch["c_n"] = m["c_n"]
        grads = param_grads(rnn, head)
        grads.update({"grad.x": m["x"].grad, "grad.h_init": m["h0"].grad})
        if c is not None:
            grads["grad.c_init"] = m["c0"].grad
        ch.update({"loss": m["loss"], "grads": grads})
        chunks.append(ch)
        h, c = m["h_n"].detach(), None if c is None else m["c_n"].detach()  # carried as values only
    return header("tbptt", name, k, inputs, params, chunks=chunks)


def embedding(name, k, inputs, params):
    """ids through nn.Embedding, then the recurrent layers and the head; every gradient, the embedding's included,
    checked against the same model reading one_hot(ids) @ embedding.weight (a product instead of a lookup)"""
    V, E = k["num_embeddings"], k["embedding_dim"]
    emb = nn.Embedding(V, E)
    with torch.no_grad():
        emb.weight.copy_(params["embedding.weight"])
    rnn, head = build({**k, "input_size": E}, params)
    ids, targets, c0 = inputs["ids"], inputs["targets"], inputs.get("c0")
    h0 = inputs["h0"].clone().requires_grad_()
    c0r = None if c0 is None else c0.clone().requires_grad_()
    out, state = rnn(emb(ids), h0 if c0r is None else (h0, c0r))
    y = head(out)
    loss = loss_of(k, y, targets)
    loss.backward()
    h_n, c_n = state if c0r is not None else (state, None)
    grads = {"grad.embedding.weight": emb.weight.grad.clone(), **param_grads(rnn, head), "grad.h0": h0.grad}
    if c0r is not None:
        grads["grad.c0"] = c0r.grad
    # the unrolled model on the looked-up rows as a plain input; the embedding's gradient is then
    # one_hot(ids)ᵀ · dL/dx, a product instead of the lookup's scatter
    one_hot = F.one_hot(ids, V).to(torch.float64)
    x = (one_hot @ params["embedding.weight"]).detach()
    u = unrolled({**k, "input_size": E}, {n: t for n, t in params.items() if n != "embedding.weight"}, x, targets, inputs["h0"], c0)
    agree("loss", loss, u["loss"])
    agree("grad.embedding.weight", grads["grad.embedding.weight"], one_hot.reshape(-1, V).T @ u["x"].reshape(-1, E))
    agree("grad.h0", grads["grad.h0"], u["h0"])
    for n, p in named(rnn, head):
        agree(f"grad.{n}", p.grad, u["grads"][n])
    fwd = {"output": out, "head_output": y, "h_n": h_n}
    if c_n is not None:
        fwd["c_n"] = c_n
    fwd["loss"] = loss
    return header("embedding", name, k, inputs, params, forward=fwd, grads=grads)


def plain(v):
    """tensors to nested lists of Python numbers (json writes floats in shortest round-trip form)"""
    if isinstance(v, torch.Tensor):
        return v.detach().tolist()
    if isinstance(v, dict):
        return {n: plain(x) for n, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v
