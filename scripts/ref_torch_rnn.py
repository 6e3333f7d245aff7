#!/usr/bin/python3
"""Reference: the book's character RNN (d2l 'RNN from scratch', chapter 8) as a
single-process PyTorch program, run on CPU, to compare perplexity and tokens/sec side by
side with spark-rnn-lm on the same corpus and hyperparameters (scripts/bench-compare.sh,
scripts/bench-end-to-end.sh). Needs the system python with torch (Debian: python3-torch).

usage: ref_torch_rnn.py CORPUS [--epochs E] [--hidden H] [--batch B] [--steps T]
                        [--lr LR] [--theta C] [--random] [--concise] [--threads N]
                        [--normalize d2l|none] [--max-tokens N] [--eval HELD_OUT]
                        [--cell rnn|gru|lstm] [--layers L] [--optimizer sgd|adam]
                        [--init-from EXPORT.safetensors] [--offsets O1,O2,...]
Prints one line per epoch and a final JSON line. The book's explicit loop by default; --concise,
another --cell or --layers > 1 use torch's nn.RNN / nn.GRU / nn.LSTM(V, H, num_layers=L) and an
nn.Linear(H, V); --optimizer adam is torch.optim.Adam at --lr after the same clipping.
--init-from and --offsets start from another run's initial parameters (in torch's layout) and use
its epochs' start offsets, so that the two trainings differ only in their arithmetic.
"""
import argparse, collections, json, math, random, re, sys, time
import torch
from torch import nn
from torch.nn import functional as F

p = argparse.ArgumentParser()
p.add_argument("corpus")
p.add_argument("--epochs", type=int, default=10)
p.add_argument("--hidden", type=int, default=512)
p.add_argument("--batch", type=int, default=32)
p.add_argument("--steps", type=int, default=35)
p.add_argument("--lr", type=float, default=1.0)
p.add_argument("--theta", type=float, default=1.0)
p.add_argument("--random", action="store_true")
p.add_argument("--concise", action="store_true")
p.add_argument("--threads", type=int, default=2)
p.add_argument("--normalize", default="d2l")
p.add_argument("--max-tokens", type=int, default=-1)
p.add_argument("--seed", type=int, default=0)
p.add_argument("--eval", default=None, help="held-out text: report its perplexity at the end")
p.add_argument("--cell", default="rnn", choices=["rnn", "gru", "lstm"])
p.add_argument("--layers", type=int, default=1)
p.add_argument("--optimizer", default="sgd", choices=["sgd", "adam"])
p.add_argument("--init-from", default=None,
               help="start from these parameters: `rnnlm export --format torch` output (vocabulary beside it)")
p.add_argument("--offsets", default=None,
               help="comma-separated start offset of each epoch (sequential sampling) instead of random ones")
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(a.seed); random.seed(a.seed)

lines = open(a.corpus, encoding="utf-8", errors="replace").read().split("\n")
if a.normalize == "d2l":
    lines = [re.sub("[^A-Za-z]+", " ", l).strip().lower() for l in lines]
tokens = [ch for l in lines for ch in l]          # d2l: list(line) per line, then flattened
cnt = collections.Counter(tokens)
itos = ["<unk>"] + [t for t, _ in sorted(cnt.items(), key=lambda x: (-x[1], x[0]))]
stoi = {t: i for i, t in enumerate(itos)}
corpus = [stoi[t] for t in tokens]
if a.max_tokens > 0: corpus = corpus[: a.max_tokens]
V = len(itos)

def seq_random(corpus, B, T):
    corpus = corpus[random.randint(0, T - 1):]
    n = (len(corpus) - 1) // T
    starts = list(range(0, n * T, T)); random.shuffle(starts)
    for i in range(0, B * (n // B), B):
        s = starts[i:i + B]
        yield torch.tensor([corpus[j:j + T] for j in s]), torch.tensor([corpus[j + 1:j + 1 + T] for j in s])

# each epoch's start offset for sequential sampling: --offsets, or else the book's randint(0, T)
epoch_offsets = [int(o) for o in a.offsets.split(",")] if a.offsets else None
def seq_sequential(corpus, B, T, off):
    n = ((len(corpus) - off - 1) // B) * B
    Xs = torch.tensor(corpus[off:off + n]).reshape(B, -1)
    Ys = torch.tensor(corpus[off + 1:off + 1 + n]).reshape(B, -1)
    for i in range(0, (Xs.shape[1] // T) * T, T):
        yield Xs[:, i:i + T], Ys[:, i:i + T]

H = a.hidden
def normal(shape): return torch.randn(size=shape) * 0.01
modules = a.concise or a.cell != "rnn" or a.layers > 1   # else the book's explicit loop
if modules:
    Cell = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}[a.cell]
    class M(nn.Module):
        def __init__(s):
            super().__init__(); s.rnn = Cell(V, H, num_layers=a.layers); s.out = nn.Linear(H, V)
        def forward(s, X, state):
            Xo = F.one_hot(X.T.long(), V).float()
            Y, state = s.rnn(Xo, state)
            return s.out(Y.reshape(-1, H)), state
    net = M(); params = list(net.parameters())
    def begin(B):
        z = torch.zeros((a.layers, B, H))
        return (z, z.clone()) if a.cell == "lstm" else z
    fwd = net
else:
    W_xh, W_hh, b_h = normal((V, H)), normal((H, H)), torch.zeros(H)
    W_hq, b_q = normal((H, V)), torch.zeros(V)
    params = [W_xh, W_hh, b_h, W_hq, b_q]
    for q in params: q.requires_grad_(True)
    def begin(B): return (torch.zeros((B, H)),)
    def fwd(X, state):
        Xo = F.one_hot(X.T, V).float()
        (Hs,) = state; outs = []
        for x in Xo:
            Hs = torch.tanh(x @ W_xh + Hs @ W_hh + b_h)
            outs.append(Hs @ W_hq + b_q)
        return torch.cat(outs, dim=0), (Hs,)

if a.init_from:
    # The export's tensors are torch's own; only the vocabulary's order may differ from itos.
    from safetensors.torch import load_file
    exported = json.load(open(re.sub(r"\.safetensors$", "", a.init_from) + ".vocab.json", encoding="utf-8"))["tokens"]
    missing = [t for t in itos if t not in exported]
    if missing:
        sys.exit(f"--init-from {a.init_from}: its vocabulary lacks {missing[:5]}: not trained on this corpus")
    order = torch.tensor([exported.index(t) for t in itos])   # itos position -> export position
    t = load_file(a.init_from)
    t["rnn.weight_ih_l0"] = t["rnn.weight_ih_l0"][:, order]
    t["out.weight"], t["out.bias"] = t["out.weight"][order], t["out.bias"][order]
    if not modules:
        # The book's model: one bias, stored as bias_ih (an export's bias_hh is zero).
        with torch.no_grad():
            for q, v in zip(params, [t["rnn.weight_ih_l0"].T, t["rnn.weight_hh_l0"].T, t["rnn.bias_ih_l0"],
                                     t["out.weight"].T, t["out.bias"]]):
                q.copy_(v)
    else:
        net.load_state_dict(t)
if epoch_offsets is not None and len(epoch_offsets) < a.epochs:
    sys.exit(f"--offsets gives {len(epoch_offsets)} epochs' offsets, --epochs is {a.epochs}")

def clip(theta):
    norm = torch.sqrt(sum(torch.sum(q.grad ** 2) for q in params))
    if norm > theta:
        for q in params: q.grad[:] *= theta / norm
    return float(norm)

def predict(prefix, n):
    state = begin(1); out = [stoi.get(prefix[0], 0)]
    for y in prefix[1:]:
        _, state = fwd(torch.tensor([[out[-1]]]), state); out.append(stoi.get(y, 0))
    for _ in range(n):
        y, state = fwd(torch.tensor([[out[-1]]]), state); out.append(int(y.argmax(dim=1).reshape(1)))
    return "".join(itos[i] for i in out)

opt = torch.optim.Adam(params, lr=a.lr) if a.optimizer == "adam" else None
results = []
t_all = time.perf_counter(); tok_all = 0
for ep in range(a.epochs):
    state = None; l_sum = 0.0; n_tok = 0; t0 = time.perf_counter()
    it = seq_random(corpus, a.batch, a.steps) if a.random else seq_sequential(
        corpus, a.batch, a.steps, epoch_offsets[ep] if epoch_offsets else random.randint(0, a.steps))
    for X, Y in it:
        if state is None or a.random:
            state = begin(X.shape[0])
        else:
            state = tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()
        y = Y.T.reshape(-1)
        y_hat, state = fwd(X, state)
        l = F.cross_entropy(y_hat, y.long()).mean()
        for q in params:
            if q.grad is not None: q.grad.zero_()
        l.backward()
        clip(a.theta)
        if opt is not None:
            opt.step()
        else:
            with torch.no_grad():
                for q in params: q -= a.lr * q.grad
        l_sum += float(l) * y.numel(); n_tok += y.numel()
    dt = time.perf_counter() - t0; tok_all += n_tok
    ppl = math.exp(l_sum / n_tok)
    results.append(ppl)
    print(f"epoch {ep+1} ppl {ppl:.3f} tok/s {n_tok/dt:.0f}", flush=True)
el = time.perf_counter() - t_all
print(predict("time traveller", 50))
eval_ppl = None
if a.eval:
    ev = open(a.eval, encoding="utf-8", errors="replace").read().split("\n")
    if a.normalize == "d2l":
        ev = [re.sub("[^A-Za-z]+", " ", l).strip().lower() for l in ev]
    ids = [stoi.get(ch, 0) for l in ev for ch in l]
    with torch.no_grad():
        state = begin(1); tot = 0.0; n = 0
        for i in range(0, len(ids) - 1, a.steps):
            X = torch.tensor([ids[i:i + a.steps]]); Y = torch.tensor([ids[i + 1:i + 1 + a.steps]])
            X = X[:, :Y.shape[1]]
            y_hat, state = fwd(X, state)
            tot += float(F.cross_entropy(y_hat, Y.T.reshape(-1).long(), reduction="sum")); n += Y.numel()
    eval_ppl = math.exp(tot / n)
    print(f"eval ppl {eval_ppl:.4f} over {n} tokens")
print(json.dumps({"vocab": V, "tokens": len(corpus), "epochs": a.epochs, "final_ppl": results[-1],
                  "tokens_per_sec": tok_all / el, "eval_ppl": eval_ppl, "seconds": el, "concise": a.concise, "random": a.random,
                  "cell": a.cell, "layers": a.layers, "optimizer": a.optimizer}))
