#!/usr/bin/python3
"""Reference: a word-level LSTM language model that follows PyTorch's own example,
pytorch/examples word_language_model (model.py's RNNModel, main.py's training loop, data.py's
Corpus), as a single-process PyTorch program on CPU, to compare held-out perplexity and tokens/s
with spark-rnn-lm's word models (scripts/compare-word.sh). Needs the system python with torch
(Debian: apt-get install python3-torch).

Model (RNNModel): nn.Embedding(V, emsize) initialized uniform(-0.1, 0.1) -> nn.Dropout ->
nn.LSTM(emsize, hidden, layers, dropout) -> nn.Dropout -> nn.Linear(hidden, V) with weight
uniform(-0.1, 0.1) and bias 0; --tied shares the decoder's weight with the embedding (Press & Wolf
2016, Inan et al. 2016; needs --emsize == --hidden).
Training (main.py): the text as --batch contiguous columns (batchify), windows of --steps tokens
(truncated BPTT, state carried and detached between windows), loss = mean cross-entropy,
clip_grad_norm_(params, --clip), then SGD by hand: p -= lr * grad. --lr-plateau divides lr by 4
after an epoch whose --val loss did not improve, and scores the held-out text with the parameters
of the best validation epoch, as the example does.
Data (data.py): whitespace-separated words of each line plus an <eos> word at each line end. The
vocabulary is <unk> and the training file's words (by frequency, ties by word); a literal <unk>
in the text is that id, and held-out words outside the vocabulary map to it. The held-out file is
scored after the last epoch as --eval-streams contiguous streams (batchify; the example's
eval_batch_size 10), each from a zero state carried across windows of --steps; its perplexity is
exp(mean cross-entropy over all predicted tokens).

usage: scripts/ref_torch_word.py TRAIN HELDOUT [--epochs E] [--emsize E] [--hidden H]
         [--layers L] [--dropout D] [--lr LR] [--clip C] [--batch B] [--steps T] [--seed S]
         [--threads N] [--tied] [--eval-streams N] [--val VAL [--lr-plateau]]
e.g. the example's configuration on WikiText-2 (scripts/download-word-corpus.sh):
  /usr/bin/python3 scripts/ref_torch_word.py data/wikitext-2/valid.txt data/wikitext-2/test.txt \
    --epochs 4 --emsize 200 --hidden 200 --layers 2 --dropout 0.2 --lr 20 --clip 0.25 \
    --batch 20 --steps 35 --threads 2 --seed 1 [--tied]
Prints `epoch N train_ppl P tok/s R` per epoch (tok/s: training tokens predicted / the epoch's
training wall time; validation excluded), then one JSON line with final_heldout_ppl,
tokens_per_sec (median over epochs 2..N, the steady state; epoch 1 when N = 1), train_ppl (per
epoch), seed and tied, among others. Corpus and model sizes go to stderr.

OpenBLAS: Debian's OpenBLAS 0.3.21 picks its kernel from the CPU (OPENBLAS_VERBOSE=2 prints the
core it chose). On AVX-512 machines whose CPU it does not know it falls back to a generic kernel;
run with OPENBLAS_CORETYPE=SkylakeX there.
"""
import argparse, collections, json, math, statistics, sys, time
import torch
from torch import nn

p = argparse.ArgumentParser(description="word-level LSTM LM after pytorch/examples word_language_model")
p.add_argument("train", help="training text")
p.add_argument("heldout", help="held-out text, scored after the last epoch")
p.add_argument("--epochs", type=int, default=4)
p.add_argument("--emsize", type=int, default=200, help="size of word embeddings")
p.add_argument("--hidden", type=int, default=200, help="hidden units per layer")
p.add_argument("--layers", type=int, default=2)
p.add_argument("--dropout", type=float, default=0.2)
p.add_argument("--lr", type=float, default=20.0)
p.add_argument("--clip", type=float, default=0.25, help="global L2 norm of the gradient")
p.add_argument("--batch", type=int, default=20, help="contiguous training streams (columns)")
p.add_argument("--steps", type=int, default=35, help="truncated BPTT length (the example's bptt)")
p.add_argument("--seed", type=int, default=1111)
p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
p.add_argument("--tied", action="store_true", help="decoder.weight = encoder.weight")
p.add_argument("--eval-streams", type=int, default=10, help="held-out streams (the example's eval_batch_size)")
p.add_argument("--val", default=None, help="validation text, scored after every epoch")
p.add_argument("--lr-plateau", action="store_true",
               help="divide lr by 4 when the --val loss does not improve; held-out scored with the best epoch's parameters")
a = p.parse_args()
for name in ("epochs", "emsize", "hidden", "layers", "batch", "steps", "threads", "eval_streams"):
    if getattr(a, name) < 1:
        p.error(f"--{name.replace('_', '-')} must be >= 1, got {getattr(a, name)}")
if a.tied and a.emsize != a.hidden:
    p.error(f"--tied needs --emsize == --hidden, got {a.emsize} and {a.hidden}")
if a.lr_plateau and a.val is None:
    p.error("--lr-plateau needs --val")

torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)


def words(path):
    """data.py's Corpus.tokenize: each line's whitespace-separated words, then <eos>."""
    out = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            out.extend(line.split())
            out.append("<eos>")
    return out


train_words = words(a.train)
counts = collections.Counter(train_words)
counts.pop("<unk>", None)
itos = ["<unk>"] + [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
stoi = {w: i for i, w in enumerate(itos)}
V = len(itos)


def ids(ws):
    return torch.tensor([stoi.get(w, 0) for w in ws], dtype=torch.long)


train = ids(train_words)
held_words = words(a.heldout)
held = ids(held_words)
val = ids(words(a.val)) if a.val else None


class RNNModel(nn.Module):
    """pytorch/examples word_language_model/model.py's RNNModel with rnn_type LSTM."""

    def __init__(self):
        super().__init__()
        self.drop = nn.Dropout(a.dropout)
        self.encoder = nn.Embedding(V, a.emsize)
        # nn.LSTM applies its dropout between layers only; with one layer it would just warn.
        self.rnn = nn.LSTM(a.emsize, a.hidden, a.layers, dropout=a.dropout if a.layers > 1 else 0.0)
        self.decoder = nn.Linear(a.hidden, V)
        if a.tied:
            self.decoder.weight = self.encoder.weight
        nn.init.uniform_(self.encoder.weight, -0.1, 0.1)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -0.1, 0.1)

    def forward(self, x, hidden):
        emb = self.drop(self.encoder(x))
        out, hidden = self.rnn(emb, hidden)
        return self.decoder(self.drop(out)).view(-1, V), hidden

    def init_hidden(self, b):
        return (torch.zeros(a.layers, b, a.hidden), torch.zeros(a.layers, b, a.hidden))


def batchify(d, b):
    """The example's batchify: b contiguous columns, the remainder dropped."""
    n = d.size(0) // b
    return d[: n * b].view(b, -1).t().contiguous()


model = RNNModel()
criterion = nn.CrossEntropyLoss()  # = the example's log_softmax + NLLLoss
train_data = batchify(train, a.batch)
if train_data.size(0) < 2:
    sys.exit(f"error: {a.train}: {len(train)} tokens are too few for --batch {a.batch}")
n_params = sum(q.numel() for q in model.parameters())
print(f"# torch {torch.__version__}, threads {torch.get_num_threads()}; vocabulary {V}; "
      f"train {len(train)} tokens ({a.train}); held-out {len(held)} tokens, "
      f"{sum(1 for w in held_words if w not in stoi)} outside the vocabulary ({a.heldout}); "
      f"parameters {n_params}", file=sys.stderr, flush=True)


def evaluate(d, streams):
    """Mean cross-entropy over every predicted token of `streams` contiguous streams."""
    model.eval()
    data = batchify(d, streams)
    h = model.init_hidden(data.size(1))
    tot, cnt = 0.0, 0
    with torch.no_grad():
        for i in range(0, data.size(0) - 1, a.steps):
            n = min(a.steps, data.size(0) - 1 - i)
            out, h = model(data[i:i + n], h)
            y = data[i + 1:i + 1 + n].reshape(-1)
            tot += criterion(out, y).item() * y.numel()
            cnt += y.numel()
    return tot / cnt


lr = a.lr
train_ppl, tok_s = [], []
best_val, best_state = None, None
for epoch in range(1, a.epochs + 1):
    model.train()
    h = model.init_hidden(a.batch)
    tot, cnt = 0.0, 0
    t0 = time.perf_counter()
    for i in range(0, train_data.size(0) - 1, a.steps):
        n = min(a.steps, train_data.size(0) - 1 - i)
        x, y = train_data[i:i + n], train_data[i + 1:i + 1 + n].reshape(-1)
        h = tuple(s.detach() for s in h)
        model.zero_grad()
        out, h = model(x, h)
        loss = criterion(out, y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), a.clip)
        with torch.no_grad():
            for q in model.parameters():
                q.add_(q.grad, alpha=-lr)
        tot += loss.item() * y.numel()
        cnt += y.numel()
    dt = time.perf_counter() - t0
    train_ppl.append(math.exp(tot / cnt))
    tok_s.append(cnt / dt)
    line = f"epoch {epoch} train_ppl {train_ppl[-1]:.3f} tok/s {tok_s[-1]:.0f}"
    if val is not None:
        vl = evaluate(val, a.eval_streams)
        line += f" lr {lr:g} val_ppl {math.exp(vl):.3f}"
        if best_val is None or vl < best_val:
            best_val = vl
            if a.lr_plateau:
                best_state = {k: t.clone() for k, t in model.state_dict().items()}
        elif a.lr_plateau:
            lr /= 4.0
    print(line, flush=True)

if best_state is not None:
    model.load_state_dict(best_state)
held_loss = evaluate(held, a.eval_streams)
steady = tok_s[1:] or tok_s
print(json.dumps({
    "final_heldout_ppl": math.exp(held_loss),
    "tokens_per_sec": statistics.median(steady),
    "train_ppl": train_ppl,
    "seed": a.seed,
    "tied": a.tied,
    "tokens_per_sec_per_epoch": tok_s,
    "epochs": a.epochs, "vocab": V, "train_tokens": len(train), "heldout_tokens": len(held),
    "eval_streams": a.eval_streams, "parameters": n_params, "threads": torch.get_num_threads(),
    "emsize": a.emsize, "hidden": a.hidden, "layers": a.layers, "dropout": a.dropout,
    "lr": a.lr, "clip": a.clip, "batch": a.batch, "steps": a.steps,
}), flush=True)
