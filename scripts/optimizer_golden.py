#!/usr/bin/python3
"""Golden values for the optimizer tests (dev.rnnlm.optim.TorchGoldenTest): runs
torch.optim's SGD, SGD with momentum, Adam, AdamW, RMSprop and Adagrad on a 7-element float32
parameter vector for 5 steps of fixed gradients and a learning rate that changes every step,
and writes the parameters after each step and the final optimizer state as JSON; also the
rates of torch's StepLR and CosineAnnealingLR, stepped once per optimizer step. Needs the
system python with torch (Debian: python3-torch); the tests read the file and need no python.

usage: optimizer_golden.py [OUT]   (default src/test/resources/optim/torch-golden.json)

Every number is a float32 value written as the shortest decimal that reads back as it (the
learning rates are powers of two, so float32 and Python's float64 hold the same rate).
Settings use this program's option names: momentum, beta1, beta2 (rmsprop's alpha), eps,
weight_decay; an absent one is the optimizer's default.
"""
import json, sys
import torch

OUT = sys.argv[1] if len(sys.argv) > 1 else "src/test/resources/optim/torch-golden.json"
STEPS, SIZE = 5, 7
LRS = [0.125, 0.0625, 0.25, 0.03125, 0.125]

g = torch.Generator().manual_seed(20240611)
params0 = torch.randn(SIZE, generator=g, dtype=torch.float32)
params0[3] = 0.0                                   # a parameter at zero
grads = torch.randn(STEPS, SIZE, generator=g, dtype=torch.float32) * 0.5
grads[1, 2] = 0.0                                  # a zero gradient element
grads[2] *= 1e-3                                   # a step of tiny gradients (eps matters)

# (label, our --optimizer name, our settings, torch constructor given lr)
CASES = [
    ("sgd", "sgd", {}, lambda p, lr: torch.optim.SGD(p, lr=lr)),
    ("sgd weight decay", "sgd", {"weight_decay": 0.05},
     lambda p, lr: torch.optim.SGD(p, lr=lr, weight_decay=0.05)),
    # torch's own SGD default momentum is 0; ours is 0.9, given to torch explicitly.
    ("momentum defaults", "momentum", {}, lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9)),
    ("momentum tuned", "momentum", {"momentum": 0.7, "weight_decay": 0.05},
     lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.7, weight_decay=0.05)),
    ("adam defaults", "adam", {}, lambda p, lr: torch.optim.Adam(p, lr=lr)),
    ("adam tuned", "adam", {"beta1": 0.8, "beta2": 0.95, "eps": 1e-6, "weight_decay": 0.1},
     lambda p, lr: torch.optim.Adam(p, lr=lr, betas=(0.8, 0.95), eps=1e-6, weight_decay=0.1)),
    ("adamw defaults", "adamw", {}, lambda p, lr: torch.optim.AdamW(p, lr=lr)),
    ("adamw tuned", "adamw", {"beta1": 0.85, "beta2": 0.99, "eps": 1e-7, "weight_decay": 0.2},
     lambda p, lr: torch.optim.AdamW(p, lr=lr, betas=(0.85, 0.99), eps=1e-7, weight_decay=0.2)),
    ("rmsprop defaults", "rmsprop", {}, lambda p, lr: torch.optim.RMSprop(p, lr=lr)),
    ("rmsprop tuned", "rmsprop", {"beta2": 0.9, "eps": 1e-6, "weight_decay": 0.05},
     lambda p, lr: torch.optim.RMSprop(p, lr=lr, alpha=0.9, eps=1e-6, weight_decay=0.05)),
    ("rmsprop momentum", "rmsprop", {"beta2": 0.95, "momentum": 0.5, "weight_decay": 0.01},
     lambda p, lr: torch.optim.RMSprop(p, lr=lr, alpha=0.95, momentum=0.5, weight_decay=0.01)),
    ("adagrad defaults", "adagrad", {}, lambda p, lr: torch.optim.Adagrad(p, lr=lr)),
    ("adagrad tuned", "adagrad", {"eps": 1e-6, "weight_decay": 0.1},
     lambda p, lr: torch.optim.Adagrad(p, lr=lr, eps=1e-6, weight_decay=0.1)),
]


def run(make):
    p = torch.nn.Parameter(params0.clone())
    opt = make([p], LRS[0])
    after = []
    for s in range(STEPS):
        for group in opt.param_groups:
            group["lr"] = LRS[s]
        p.grad = grads[s].clone()
        opt.step()
        after.append(p.detach().tolist())
    state = {k: (int(v) if k == "step" else v.tolist())
             for k, v in opt.state[p].items() if v is not None}
    return after, state


cases = []
for label, name, settings, make in CASES:
    after, state = run(make)
    cases.append({"label": label, "optimizer": name, "settings": settings,
                  "after": after, "state": state})



def schedule_rates(make, lr, steps):
    """The rate of each optimizer step under a torch scheduler stepped once per step."""
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)
    sched = make(opt)
    rates = []
    for _ in range(steps):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return rates


# Without warm-up: the schedules' own rates (torch computes them in float64).
schedules = [
    {"schedule": "step", "lr": 0.5, "decay": 0.5, "every": 3,
     "rates": schedule_rates(lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5), 0.5, 12)},
    {"schedule": "cosine", "lr": 0.5, "total": 10,
     "rates": schedule_rates(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=10), 0.5, 10)},
]

doc = {"torch": torch.__version__, "params": params0.tolist(), "lrs": LRS,
       "grads": grads.tolist(), "cases": cases, "schedules": schedules}
with open(OUT, "w") as f:
    json.dump(doc, f, indent=1)
    f.write("\n")
print("wrote", OUT, "with", len(cases), "cases, torch", torch.__version__)
