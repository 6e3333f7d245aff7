#!/usr/bin/python3
"""Scores held-out text with a model exported by `rnnlm export --format torch`, loaded into
PyTorch's own modules (nn.RNN / nn.GRU / nn.LSTM and nn.Linear, as the README shows; a model with
an embedding into a module shaped as pytorch/examples word_language_model's RNNModel: encoder
nn.Embedding, the recurrent module, decoder nn.Linear, the decoder's weight the encoder's when
tied; an adaptive softmax as nn.AdaptiveLogSoftmaxWithLoss with the cutoffs and div_value the
export's metadata gives), as one stream in windows of T from a zero state, like `rnnlm evaluate` with its default
one stream. Prints {"perplexity": P, "tokens": N}. Needs torch and numpy (safetensors when installed).

usage: score_torch_export.py MODEL.safetensors HELD_OUT [--steps T]
"""
import argparse, json, math, re
import torch
from torch.nn import functional as F
import numpy as np

try:
    from safetensors.numpy import load_file
except ImportError:  # the format is simple enough to read with numpy alone
    def load_file(path):
        with open(path, "rb") as f:
            n = int.from_bytes(f.read(8), "little")
            header = json.loads(f.read(n))
            data = f.read()
        return {k: np.frombuffer(data[v["data_offsets"][0]:v["data_offsets"][1]], dtype="<f4")
                .reshape(v["shape"]).copy()
                for k, v in header.items() if k != "__metadata__"}

p = argparse.ArgumentParser()
p.add_argument("tensors")
p.add_argument("held_out")
p.add_argument("--steps", type=int, default=35)
a = p.parse_args()

with open(a.tensors, "rb") as f:
    header = json.loads(f.read(int.from_bytes(f.read(8), "little")))
meta = header["__metadata__"]
vocab = json.load(open(re.sub(r"\.safetensors$", "", a.tensors) + ".vocab.json", encoding="utf-8"))
V, H, L = int(meta["vocab_size"]), int(meta["hidden"]), int(meta.get("layers", "1"))
Cell = {"rnn": torch.nn.RNN, "gru": torch.nn.GRU, "lstm": torch.nn.LSTM}[meta["cell"]]
E = int(meta.get("embedding", "0"))
t = {k: torch.from_numpy(v) for k, v in load_file(a.tensors).items()}
adaptive = meta.get("softmax") == "adaptive"


def output_layer():
    """The decoder: nn.Linear(H, V), or the adaptive softmax the export describes."""
    if not adaptive:
        return torch.nn.Linear(H, V)
    return torch.nn.AdaptiveLogSoftmaxWithLoss(H, V, json.loads(meta["cutoffs"]),
                                               div_value=float(meta["div_value"]))


def log_probabilities(decoder, hs):
    """(T, 1, H) outputs of the last layer -> (T, V) log-probabilities of the next token."""
    hs = hs.squeeze(1)
    return decoder.log_prob(hs) if adaptive else F.log_softmax(decoder(hs), dim=-1)


class RNNModel(torch.nn.Module):
    """word_language_model's RNNModel without its dropout (scoring runs in eval mode)."""

    def __init__(self, tied):
        super().__init__()
        self.encoder = torch.nn.Embedding(V, E)
        self.rnn = Cell(E, H, num_layers=L)
        self.decoder = output_layer()
        if tied and not adaptive:  # a tied adaptive export holds the embedding's rows in its tensors
            self.decoder.weight = self.encoder.weight

    def forward(self, inp, hidden):
        output, hidden = self.rnn(self.encoder(inp), hidden)
        return log_probabilities(self.decoder, output), hidden


if E > 0:
    model = RNNModel(meta.get("tied_weights") == "true").eval()
    model.load_state_dict(t)
    step = lambda inp, state: model(inp.unsqueeze(1), state)
else:
    rnn, out = Cell(V, H, num_layers=L), output_layer()
    rnn.load_state_dict({k[4:]: v for k, v in t.items() if k.startswith("rnn.")})
    out.load_state_dict({k[4:]: v for k, v in t.items() if k.startswith("out.")})

    def step(inp, state):
        hs, state = rnn(F.one_hot(inp, V).float().unsqueeze(1), state)
        return log_probabilities(out, hs), state

text = open(a.held_out, encoding="utf-8", errors="replace").read()
if vocab["normalize"] == "d2l":
    text = "".join(re.sub("[^A-Za-z]+", " ", l).strip().lower() for l in text.split("\n"))
elif vocab["normalize"] == "lower":
    text = text.lower()
if vocab["tokens_mode"] == "word":
    units = text.split()
elif vocab["tokens_mode"] == "word-eos":  # words, and <eos> at each line end
    lines = text.split("\n")
    units = [u for line in (lines[:-1] if lines[-1] == "" else lines) for u in line.split() + ["<eos>"]]
else:
    units = list(text)
ids = {tok: i for i, tok in enumerate(vocab["tokens"])}
x = [ids.get(u, 0) for u in units]
with torch.no_grad():
    state = None
    total, n = 0.0, 0
    for i in range(0, len(x) - 1, a.steps):
        inp = torch.tensor(x[i:i + a.steps + 1][:-1])
        tgt = torch.tensor(x[i + 1:i + 1 + a.steps])
        inp = inp[:len(tgt)]
        log_p, state = step(inp, state)
        total += float(F.nll_loss(log_p, tgt, reduction="sum"))
        n += len(tgt)
print(json.dumps({"perplexity": math.exp(total / n), "tokens": n}))
