"""The seed's replay path: StructuredLogger._load_json_episode is json.load (through gzip.open
for .json.gz). Prints JSON: median ms over REPEATS and peak RSS."""
import gzip
import json
import resource
import sys
import time

path, repeats = sys.argv[1], int(sys.argv[2])
times = []
for _ in range(repeats):
    t = time.perf_counter()
    with (gzip.open(path, "rt", encoding="utf-8") if path.endswith(".gz") else open(path, encoding="utf-8")) as f:
        data = json.load(f)
    times.append((time.perf_counter() - t) * 1000)
    del data
times.sort()
print(json.dumps({"median_ms": times[len(times) // 2], "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
