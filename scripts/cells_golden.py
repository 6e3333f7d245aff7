#!/usr/bin/python3
"""Golden values for the gru and lstm cells: small PyTorch nn.GRU / nn.LSTM + nn.Linear models,
their weights in spark-rnn-lm's layout, a window of inputs, and the summed cross-entropy, its
gradient and the final state as torch computes them (float64 on float32-representable weights).
Written to src/test/resources/model/cells-golden.json for dev.rnnlm.model.TorchGoldenTest, so
the test needs no python. Needs the system python with torch (Debian: python3-torch).

usage: scripts/cells_golden.py [OUTPUT]

Mapping (StackedModel's Javadoc): W_ih_l{l} = weight_ih_l{l}^T (in, G*H), W_hh_l{l} =
weight_hh_l{l}^T (H, G*H), b_ih_l{l} = bias_ih_l{l}, b_hh_l{l} = bias_hh_l{l}, W_hq =
linear.weight^T (H, V), b_q = linear.bias. Inputs are one-hot, windows time-major (row t*B + b);
the state per sequence is layer 0's h (then c for lstm), then layer 1's, ...
"""
import json, os, sys
import torch
from torch import nn
from torch.nn import functional as F

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "model",
    "cells-golden.json")

V, H, B, T = 7, 5, 3, 4


def case(cell, layers, seed):
    torch.manual_seed(seed)
    rnn = (nn.LSTM if cell == "lstm" else nn.GRU)(V, H, num_layers=layers)
    linear = nn.Linear(H, V)
    # float32 values computed in float64: the Java test sees exactly these weights.
    rnn, linear = rnn.double(), linear.double()
    x = torch.randint(0, V, (T, B))
    y = torch.randint(0, V, (T, B))
    h0 = (torch.randn(layers, B, H) * 0.5).float().double()
    c0 = (torch.randn(layers, B, H) * 0.5).float().double()
    h0.requires_grad_(False)
    state = (h0, c0) if cell == "lstm" else h0
    hs, final = rnn(F.one_hot(x, V).double(), state)
    logits = linear(hs.reshape(T * B, H))
    loss = F.cross_entropy(logits, y.reshape(T * B), reduction="sum")
    loss.backward()

    params, grads = {}, {}
    for l in range(layers):
        for ours, theirs, transpose in (("W_ih", "weight_ih", True), ("W_hh", "weight_hh", True),
                                        ("b_ih", "bias_ih", False), ("b_hh", "bias_hh", False)):
            p = getattr(rnn, f"{theirs}_l{l}")
            params[f"{ours}_l{l}"] = (p.t() if transpose else p).detach().reshape(-1).tolist()
            grads[f"{ours}_l{l}"] = (p.grad.t() if transpose else p.grad).reshape(-1).tolist()
    params["W_hq"] = linear.weight.t().detach().reshape(-1).tolist()
    grads["W_hq"] = linear.weight.grad.t().reshape(-1).tolist()
    params["b_q"] = linear.bias.detach().tolist()
    grads["b_q"] = linear.bias.grad.tolist()

    # The module's own state_dict, as export --format torch must name and shape it.
    state_dict = {f"rnn.{k}": {"shape": list(v.shape), "values": v.reshape(-1).tolist()}
                  for k, v in rnn.state_dict().items()}
    state_dict.update({f"out.{k}": {"shape": list(v.shape), "values": v.reshape(-1).tolist()}
                       for k, v in linear.state_dict().items()})

    def per_sequence(hl, cl):
        # (layers, B, H) tensors -> B rows of [h_0 (c_0) h_1 (c_1) ...]
        rows = []
        for b in range(B):
            row = []
            for l in range(layers):
                row += hl[l, b].tolist()
                if cl is not None:
                    row += cl[l, b].tolist()
            rows += row
        return rows

    if cell == "lstm":
        state0, final_state = per_sequence(h0, c0), per_sequence(final[0].detach(), final[1].detach())
    else:
        state0, final_state = per_sequence(h0, None), per_sequence(final.detach(), None)
    return {"cell": cell, "layers": layers, "vocab": V, "hidden": H, "batch": B, "steps": T,
            "inputs": x.reshape(-1).tolist(), "targets": y.reshape(-1).tolist(),
            "state": state0, "params": params, "loss": loss.item(), "grad": grads,
            "finalState": final_state, "stateDict": state_dict}


cases = [case(c, l, 100 * i + l) for i, c in enumerate(("gru", "lstm")) for l in (1, 2)]
with open(out, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, indent=1)
print(f"wrote {len(cases)} cases to {out}")
