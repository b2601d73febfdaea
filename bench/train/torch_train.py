#!/usr/bin/python3
"""PyTorch peer of bench_train_nas: training throughput of the same networks.

    torch_train.py [--threads T] [--batch B] [--warmup W] [--steps S] [--runs R]
                   [--channels-last | --no-channels-last] NETWORK...

NETWORK is reference_cnn or mbv2_stack, built here layer for layer like
experiments/architectures/NETWORK.yaml (bias-free convs, BN after each conv,
the same parameter count, checked against --expect-params when given).
Random data (N(0,1) images, uniform labels over 10 classes), cross-entropy,
SGD lr 0.05 momentum 0.9; W warm-up steps, then R runs of S steps, each timed
by the wall clock; prints, per network, the line
    train network=NAME params=P batch=B threads=T steps=S ms_per_step=M img_s=I runs_img_s=a,b,c cpu_ms_per_step=C
with I the median run (the format of bench_train_nas). Run it with Debian's
/usr/bin/python3 (python3-torch) and, for its best setting (anchors.md),
LD_PRELOAD=libjemalloc.so.2 MALLOC_CONF=dirty_decay_ms:-1,muzzy_decay_ms:-1
OMP_WAIT_POLICY=passive; bench/train/compare.sh does.
"""
import argparse
import os
import resource
import sys
import time

import torch
from torch import nn


def conv_bn(cin, cout, kernel, stride=1, groups=1):
    return [nn.Conv2d(cin, cout, kernel, stride, kernel // 2, groups=groups, bias=False),
            nn.BatchNorm2d(cout)]


def reference_cnn():
    layers = (conv_bn(1, 32, 3) + [nn.ReLU()] + conv_bn(32, 64, 3, 2) + [nn.ReLU()] +
              conv_bn(64, 128, 3, 2) + [nn.ReLU()])
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(128, 10))


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, expand=6):
        super().__init__()
        hidden = cin * expand
        self.body = nn.Sequential(*conv_bn(cin, hidden, 1), nn.ReLU6(),
                                  *conv_bn(hidden, hidden, 3, stride, groups=hidden), nn.ReLU6(),
                                  *conv_bn(hidden, cout, 1))
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.body(x)
        return x + y if self.residual else y


def mbv2_stack():
    blocks = [(16, 16, 1), (16, 24, 1), (24, 24, 1), (24, 32, 2), (32, 32, 1), (32, 64, 2),
              (64, 64, 1)]
    return nn.Sequential(*conv_bn(1, 16, 3), nn.ReLU(),
                         *[InvertedResidual(ci, co, s) for ci, co, s in blocks],
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


NETWORKS = {"reference_cnn": reference_cnn, "mbv2_stack": mbv2_stack}


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def bench(name, args):
    torch.manual_seed(0)
    model = NETWORKS[name]()
    params = sum(p.numel() for p in model.parameters())
    fmt = torch.channels_last if args.channels_last else torch.contiguous_format
    model = model.to(memory_format=fmt).train()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.randn(args.batch, 1, 28, 28).contiguous(memory_format=fmt)
    y = torch.randint(0, 10, (args.batch,))

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    for _ in range(args.warmup):
        step()
    runs, cpu = [], []
    for _ in range(args.runs):
        c0, t0 = cpu_seconds(), time.perf_counter()
        for _ in range(args.steps):
            step()
        seconds = time.perf_counter() - t0
        cpu.append((cpu_seconds() - c0) / args.steps)
        runs.append(args.batch * args.steps / seconds)
    med = sorted(runs)[len(runs) // 2]
    print(f"train network={name} params={params} batch={args.batch} threads={torch.get_num_threads()} "
          f"steps={args.steps} ms_per_step={1e3 * args.batch / med:.2f} img_s={med:.1f} "
          f"runs_img_s={','.join(str(round(r)) for r in runs)} "
          f"cpu_ms_per_step={1e3 * sorted(cpu)[len(cpu) // 2]:.2f}", flush=True)
    return params


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("networks", nargs="+", choices=sorted(NETWORKS))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--channels-last", dest="channels_last", action="store_true", default=True)
    p.add_argument("--no-channels-last", dest="channels_last", action="store_false")
    p.add_argument("--expect-params", default="",
                   help="comma-separated counts, one per network: fail when a model differs")
    args = p.parse_args()
    expect = [int(c) for c in args.expect_params.split(",") if c]
    torch.set_num_threads(args.threads)
    for i, name in enumerate(args.networks):
        params = bench(name, args)
        if i < len(expect) and params != expect[i]:
            print(f"error: {name} has {params} parameters, expected {expect[i]}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
