"""Writes the Scalars bench logdir with PyTorch's SummaryWriter (the real producer): RUNS runs
x TAGS tags x STEPS steps, plus one run of BIG steps on one tag, two runs at a time.
Usage: OUT RUNS TAGS STEPS BIG"""
import math
import os
import sys
from multiprocessing import Pool

from torch.utils.tensorboard import SummaryWriter


def write_run(args):
    out, r, tags, steps = args
    w = SummaryWriter(os.path.join(out, f"run_{r:02d}"), max_queue=100000, flush_secs=3600)
    names = [f"{'train' if t % 2 else 'val'}/metric_{t:02d}" for t in range(tags)]
    for s in range(steps):
        for t, name in enumerate(names):
            w.add_scalar(name, math.exp(-s / (steps / 3)) * (1 + t) + 0.01 * math.sin(s * 0.1 + r), s)
    w.close()


def write_long(args):
    out, big = args
    w = SummaryWriter(os.path.join(out, "long_run"), max_queue=100000, flush_secs=3600)
    for s in range(big):
        w.add_scalar("train/loss", 1 / (1 + s / 1000) + 0.001 * math.sin(s), s)
    w.close()


if __name__ == "__main__":
    out, runs, tags, steps, big = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    with Pool(2) as pool:
        done = pool.map_async(write_run, [(out, r, tags, steps) for r in range(runs)])
        write_long((out, big))
        done.get()
    open(os.path.join(out, ".complete"), "w").close()
