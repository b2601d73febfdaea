# PyTorch peer of bench_layers: the same ops and shapes, channels_last, 2
# threads. Prints "name ms" lines (median of reps): forward and forward+backward.
import statistics
import time

import torch

torch.set_num_threads(2)


def median_ms(fn, reps=9):
    for _ in range(3):
        fn()
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t) * 1e3)
    return statistics.median(ts)


def case(label, fn, *shapes):
    xs = [torch.randn(*s) for s in shapes]
    xs = [x.contiguous(memory_format=torch.channels_last) if x.dim() == 4 else x for x in xs]
    for x in xs:
        x.requires_grad_()
    with torch.no_grad():
        fwd = median_ms(lambda: fn(*xs))
    y = fn(*xs)
    gy = torch.randn_like(y)

    def fwdbwd():
        torch.autograd.grad(fn(*xs), xs, gy)

    print(f"{label}_fwd {fwd:.4f}")
    print(f"{label}_fwdbwd {median_ms(fwdbwd):.4f}")


big = (64, 64, 56, 56)
F = torch.nn.functional
case("relu", torch.relu, big)
bn = torch.nn.BatchNorm2d(64).train()
case("batch_norm_train", bn, big)
bn_eval = torch.nn.BatchNorm2d(64).eval()
case("batch_norm_eval", bn_eval, big)
case("sigmoid", torch.sigmoid, big)
case("hswish", F.hardswish, big)
case("gelu", F.gelu, big)
case("add", torch.add, big, big)
case("max_pool_3x3_s2", lambda x: F.max_pool2d(x, 3, 2, 1), big)
case("avg_pool_3x3_s2", lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False), big)
case("global_avg_pool", lambda x: F.adaptive_avg_pool2d(x, 1), big)
drop = torch.nn.Dropout(0.2).train()
case("dropout", drop, big)
lin = torch.nn.Linear(1024, 1024)
case("linear_64x1024x1024", lin, (64, 1024))
