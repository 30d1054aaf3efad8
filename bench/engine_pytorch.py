#!/usr/bin/env python3
"""Study 08's Monte Carlo workload written as a performance-minded PyTorch user would write it:
the peer of `studies/08_he_relu` in bench/engine-vs-pytorch.

  engine_pytorch.py --threads N --dtype float32|float64 [--trials 1000] [--chunk 100]

Six depth-10 ReLU / leaky-ReLU stacks (widths and initializations of study 08), `trials` fresh
networks each, a batch of 8 Gaussian inputs per network, a forward pass and a backward pass from
a Gaussian ∂L/∂y_10, and per trial and layer the same statistics initlab's engine returns
(means of y, y², h, h², (∂L/∂y)², (∂L/∂x)²). Trials are batched: a chunk of networks is one
tensor of shape (chunk, D_out, D_in) per layer, products are `torch.bmm`, the backward pass is
written out (no autograd graph to build), weights come from `torch.randn` scaled by the
initialization's standard deviation. Prints one line: `pytorch <dtype> threads=N seconds=S`.
"""
import argparse
import math
import sys
import time

import torch

DEPTH, BATCH, SQUARE = 10, 8, 256
WIDENING = [128, 144, 160, 192, 224, 256, 288, 320, 384, 448, 512]
LEAKY = 0.5


def networks():
    """(widths, weight std per layer, negative slope) of study 08's six networks."""
    square = [SQUARE] * (DEPTH + 1)
    he_in = lambda w: [math.sqrt(2.0 / w[l]) for l in range(DEPTH)]
    he_out = lambda w: [math.sqrt(2.0 / w[l + 1]) for l in range(DEPTH)]
    lecun = lambda w: [math.sqrt(1.0 / w[l]) for l in range(DEPTH)]
    kaiming_leaky = lambda w: [math.sqrt(2.0 / ((1 + LEAKY**2) * w[l])) for l in range(DEPTH)]
    return [(square, he_in(square), 0.0), (square, lecun(square), 0.0),
            (WIDENING, he_in(WIDENING), 0.0), (WIDENING, he_out(WIDENING), 0.0),
            (square, kaiming_leaky(square), LEAKY), (square, he_in(square), LEAKY)]


def chunk_statistics(widths, stds, slope, n, dtype, gen):
    """Statistics (n, DEPTH, 6) of n fresh networks."""
    weights = [torch.randn(n, widths[l + 1], widths[l], dtype=dtype, generator=gen) * stds[l]
               for l in range(DEPTH)]
    h = torch.randn(n, widths[0], BATCH, dtype=dtype, generator=gen)
    ys, stats = [], torch.empty(n, DEPTH, 6, dtype=dtype)
    for l in range(DEPTH):
        y = torch.bmm(weights[l], h)
        h = torch.nn.functional.leaky_relu(y, slope) if slope else torch.relu(y)
        ys.append(y)
        stats[:, l, 0] = y.mean(dim=(1, 2))
        stats[:, l, 1] = y.square().mean(dim=(1, 2))
        stats[:, l, 2] = h.mean(dim=(1, 2))
        stats[:, l, 3] = h.square().mean(dim=(1, 2))
    dy = torch.randn(n, widths[DEPTH], BATCH, dtype=dtype, generator=gen)
    for l in reversed(range(DEPTH)):
        dx = torch.bmm(weights[l].transpose(1, 2), dy)
        stats[:, l, 4] = dy.square().mean(dim=(1, 2))
        stats[:, l, 5] = dx.square().mean(dim=(1, 2))
        if l > 0:
            dy = dx * torch.where(ys[l - 1] > 0, 1.0, slope).to(dtype)
    return stats


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--dtype", choices=["float32", "float64"], required=True)
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--chunk", type=int, default=100)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    dtype = getattr(torch, args.dtype)
    gen = torch.Generator().manual_seed(1)
    he_y2 = torch.zeros(DEPTH, dtype=torch.float64)  # Σ over He trials of mean y_l², per layer
    start = time.perf_counter()
    with torch.inference_mode():
        for p, (widths, stds, slope) in enumerate(networks()):
            for first in range(0, args.trials, args.chunk):
                n = min(args.chunk, args.trials - first)
                stats = chunk_statistics(widths, stds, slope, n, dtype, gen)
                if p == 0:
                    he_y2 += stats[:, :, 1].sum(dim=0).to(torch.float64)
    seconds = time.perf_counter() - start
    # The workload checks itself: He/ReLU keeps Var[y_l] = 2·q0 = 2 at every layer (THEORY.md
    # §3); the trial mean of layer 10 has a relative spread ≈ 0.6/√trials.
    he_y2 /= args.trials
    tolerance = 5 * 0.6 / math.sqrt(args.trials)
    if not all(abs(v / 2.0 - 1.0) < tolerance for v in he_y2.tolist()):
        print(f"engine_pytorch: He/ReLU Var[y_l] {he_y2.tolist()} is not 2", file=sys.stderr)
        return 1
    print(f"pytorch {args.dtype} threads={args.threads} seconds={seconds:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
