#!/usr/bin/env python3
"""--sync-every and the aggregation tree on a cluster of hosts joined by shaped links.

Brings up scripts/netcluster.sh (a driver host and three one-core worker hosts in network
namespaces, a standalone master and a worker per host), then trains each model with each
synchronization under each link profile, the whole matrix once per repetition (so the
configurations alternate in time), and prints the medians as a Markdown table:

  tokens/s        the last epoch's, from the run's metrics.jsonl
  val ppl         the held-out perplexity after the run (--val-fraction 0.1)
  driver MB/sync  received and sent on the driver host's link (its interface counters, not the
                  program's own accounting) from the end of data preparation (the "corpus:"
                  line) to the end of the run, per synchronization

Models: "book" is the book's character RNN (rnn, 512 units, batch 32 x 35 steps, lr 1) on
sample-data, 2 epochs; "word" is a word-level LSTM (embedding and 256 units, adaptive softmax,
vocabulary 10,000) on a word corpus (WikiText-2's valid.txt, from scripts/download-word-corpus.sh),
1 epoch of batch 192 x 35.

  scripts/bench-netcluster.py [--reps N] [--profiles lan,wan] [--models book,word]
                              [--syncs K=1,K=4,...] [--jars A.jar,B.jar]
                              [--word-corpus data/wikitext-2/valid.txt] [--out target/bench-netcluster]

--jars compares builds of the program side by side (each configuration runs with each jar in
turn); the default is target/spark-rnn-lm.jar alone.

Needs root, iproute2 and the packaged jar (mvn -q -DskipTests package); ends the cluster after.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NETCLUSTER = os.path.join(HERE, "scripts", "netcluster.sh")

SYNCS = [
    ("K=1", ["--sync-every", "1"]),
    ("K=1 tree F=2", ["--sync-every", "1", "--aggregation-fan-in", "2"]),
    ("K=4", ["--sync-every", "4"]),
    ("K=16", ["--sync-every", "16"]),
    ("epoch", ["--sync-every", "epoch"]),
]


def models(word_corpus):
    return {
        "book": ["--input", os.path.join(HERE, "sample-data"), "--epochs", "2"],
        "word": ["--input", word_corpus, "--tokens", "word", "--max-vocab", "10000", "--cell", "lstm",
                 "--embedding", "256", "--hidden", "256", "--softmax", "adaptive", "--cutoffs", "1000,4000",
                 "--batch", "192", "--lr", "20", "--clip", "0.25", "--epochs", "1"],
    }


def netcluster(*args, check=True):
    return subprocess.run(["bash", NETCLUSTER, *args], check=check, capture_output=True, text=True)


def driver_bytes():
    rx, tx = netcluster("bytes", "driver").stdout.split()
    return int(rx), int(tx)


def run(out_dir, name, args, jar):
    """One training on the cluster: (tokens/s, val perplexity, syncs, rx bytes, tx bytes)."""
    model = os.path.join(out_dir, name)
    cmd = ["bash", NETCLUSTER, "submit", "--", "train", "--model", model, "--partitions", "3",
           "--seed", "1", "--val-fraction", "0.1", "--sample-every", "0", "--checkpoint-every", "0", *args]
    log = open(os.path.join(out_dir, name + ".out"), "w")
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         env=dict(os.environ, RNNLM_JAR=jar))
    start = None
    for line in p.stdout:
        log.write(line)
        if start is None and line.startswith("corpus:"):
            start = driver_bytes()
    end = driver_bytes()
    if p.wait() != 0 or start is None:
        raise SystemExit(f"error: run {name} failed (exit {p.returncode}); see {log.name}")
    epochs = [json.loads(l) for l in open(os.path.join(model, "metrics.jsonl"))]
    syncs = sum(e["syncs"] for e in epochs)
    return (epochs[-1]["tokens_per_sec"], epochs[-1]["val_perplexity"], syncs,
            end[0] - start[0], end[1] - start[1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--profiles", default="lan,wan")
    ap.add_argument("--models", default="book,word")
    ap.add_argument("--word-corpus", default=os.path.join(HERE, "data", "wikitext-2", "valid.txt"))
    ap.add_argument("--syncs", default=",".join(name for name, _ in SYNCS))
    ap.add_argument("--jars", default=os.path.join(HERE, "target", "spark-rnn-lm.jar"))
    ap.add_argument("--out", default=os.path.join(HERE, "target", "bench-netcluster"))
    a = ap.parse_args()
    syncs = [(name, args) for name, args in SYNCS if name in a.syncs.split(",")]
    jars = a.jars.split(",")
    chosen = a.models.split(",")
    if "word" in chosen and not os.path.isfile(a.word_corpus):
        sys.exit(f"error: no word corpus at {a.word_corpus}; get it with scripts/download-word-corpus.sh")
    for jar in jars:
        if not os.path.isfile(jar):
            sys.exit(f"error: no {jar}; build it with: mvn -q -DskipTests package")
    profiles = a.profiles.split(",")
    os.makedirs(a.out, exist_ok=True)
    up = netcluster("up", "3", profiles[0], check=False)
    if up.returncode != 0:
        sys.exit(up.stderr.strip() or up.stdout.strip())
    results = {}
    try:
        netcluster("spark")
        with open(os.path.join(a.out, "runs.tsv"), "w") as tsv:
            tsv.write("rep\tjar\tprofile\tmodel\tsync\ttokens_per_sec\tval_perplexity\tsyncs\trx_bytes\ttx_bytes\n")
            for rep in range(1, a.reps + 1):
                for profile in profiles:
                    netcluster("shape", profile)
                    for model_name in chosen:
                        for sync, sync_args in syncs:
                          for j, jar in enumerate(jars):
                            label = os.path.basename(jar)
                            name = f"{profile}-{model_name}-{sync.replace(' ', '_').replace('=', '')}-{rep}"
                            name += f"-jar{j + 1}" if len(jars) > 1 else ""
                            t0 = time.time()
                            r = run(a.out, name, models(a.word_corpus)[model_name] + sync_args, jar)
                            results.setdefault((label, profile, model_name, sync), []).append(r)
                            tsv.write("\t".join(map(str, (rep, label, profile, model_name, sync, *r))) + "\n")
                            tsv.flush()
                            print(f"{name}: {r[0]:.0f} tokens/s, val ppl {r[1]:.2f}, {r[2]} syncs, "
                                  f"driver {r[3] / r[2] / 1e6:.2f} MB in / {r[4] / r[2] / 1e6:.2f} MB out per sync"
                                  f" ({time.time() - t0:.0f} s)", flush=True)
    finally:
        netcluster("down", check=False)
    print()
    print(f"medians of {a.reps} runs each")
    print("| jar | profile | model | sync | tokens/s | val ppl | syncs | driver MB in/sync | driver MB out/sync |")
    print("|---|---|---|---|---|---|---|---|---|")
    for (label, profile, model_name, sync), rs in results.items():
        med = lambda i: statistics.median(r[i] for r in rs)
        print(f"| {label} | {profile} | {model_name} | {sync} | {med(0):,.0f} | {med(1):.2f} | {rs[0][2]} | "
              f"{statistics.median(r[3] / r[2] for r in rs) / 1e6:.2f} | "
              f"{statistics.median(r[4] / r[2] for r in rs) / 1e6:.2f} |")


if __name__ == "__main__":
    main()
