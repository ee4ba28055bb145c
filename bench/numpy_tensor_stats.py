"""The script way to look inside a checkpoint, as people do today: parse the header, memmap a
tensor, numpy for min/max/mean/std, NaN/Inf counts and a 64-bin histogram (BF16 widened to
float32 first, as numpy has no bfloat16). Prints JSON: header and stats times, peak RSS."""
import json
import resource
import struct
import sys
import time

import numpy as np

path, name = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
with open(path, "rb") as f:
    n = struct.unpack("<Q", f.read(8))[0]
    header = json.loads(f.read(n))
header_ms = (time.perf_counter() - t0) * 1000
t = header[name]
b, e = t["data_offsets"]
t1 = time.perf_counter()
raw = np.memmap(path, dtype="<u2" if t["dtype"] == "BF16" else "<f4", mode="r", offset=8 + n + b, shape=((e - b) // (2 if t["dtype"] == "BF16" else 4),))
v = (raw.astype(np.uint32) << 16).view(np.float32) if t["dtype"] == "BF16" else np.asarray(raw)
finite = v[np.isfinite(v)]
stats = dict(min=float(finite.min()), max=float(finite.max()), mean=float(finite.mean(dtype=np.float64)), std=float(finite.std(dtype=np.float64)),
             nan=int(np.isnan(v).sum()), inf=int(np.isinf(v).sum()))
hist = np.histogram(finite, bins=64)[0]
stats_ms = (time.perf_counter() - t1) * 1000
print(json.dumps({"header_ms": header_ms, "stats_ms": stats_ms, "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "mean": stats["mean"]}))
