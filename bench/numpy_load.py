"""Times numpy.load of every array in an npz (np.load is lazy: each key is read on access).
Usage: python3 numpy_load.py FILE.npz REPEATS  -> prints median milliseconds as JSON"""
import json
import statistics
import sys
import time

import numpy as np

path, repeats = sys.argv[1], int(sys.argv[2])
times = []
for _ in range(repeats + 1):
    t = time.perf_counter()
    with np.load(path, allow_pickle=True) as f:
        arrays = {k: f[k] for k in f.files}
    times.append((time.perf_counter() - t) * 1000)
print(json.dumps({"median_ms": statistics.median(times[1:]), "arrays": len(arrays)}))
