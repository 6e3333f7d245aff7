#!/usr/bin/python3
"""PyTorch's side of scripts/bench-cells.sh: forward + backward of nn.RNN / nn.GRU / nn.LSTM +
nn.Linear + summed cross-entropy on one-hot inputs, the shape of dev.rnnlm.bench.CellBenchmark
(one partition's share: B = 16, T = 35, H = 512, V = 28), on one thread by default, so
tokens/s per core compare directly. Gradients accumulate as in the Java kernel (no zeroing).

usage: bench-cells-torch.py [--cells rnn,gru,lstm] [--batch 16] [--steps 35] [--hidden 512]
                            [--vocab 28] [--layers 1] [--threads 1] [--seconds 10]
Prints one line per cell and a final JSON line.
"""
import argparse, json, time
import torch
from torch import nn
from torch.nn import functional as F

p = argparse.ArgumentParser()
p.add_argument("--cells", default="rnn,gru,lstm")
p.add_argument("--batch", type=int, default=16)
p.add_argument("--steps", type=int, default=35)
p.add_argument("--hidden", type=int, default=512)
p.add_argument("--vocab", type=int, default=28)
p.add_argument("--layers", type=int, default=1)
p.add_argument("--threads", type=int, default=1)
p.add_argument("--seconds", type=float, default=10)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)

B, T, H, V = a.batch, a.steps, a.hidden, a.vocab
results = {}
for cell in a.cells.split(","):
    rnn = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}[cell](V, H, num_layers=a.layers)
    out = nn.Linear(H, V)
    x = F.one_hot(torch.randint(0, V, (T, B)), V).float()
    y = torch.randint(0, V, (T * B,))

    def step():
        hs, _ = rnn(x)
        loss = F.cross_entropy(out(hs.reshape(T * B, H)), y, reduction="sum")
        loss.backward()
        return loss

    for _ in range(5):
        step()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < a.seconds:
        step()
        n += 1
    ms = (time.perf_counter() - t0) / n * 1e3
    results[cell] = {"ms": ms, "tokens_per_sec": B * T / ms * 1e3}
    print(f"torch {cell}: {ms:.2f} ms per window batch, {B * T / ms * 1e3:,.0f} tokens/s "
          f"({a.threads} thread(s), B={B} T={T} H={H} V={V} layers={a.layers})", flush=True)
print(json.dumps({"torch": torch.__version__, "threads": a.threads, "batch": B, "steps": T,
                  "hidden": H, "vocab": V, "layers": a.layers, "results": results}))
