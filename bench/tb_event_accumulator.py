"""TensorBoard's Python loader keeping every scalar point (size_guidance scalars=0): an
EventMultiplexer over the logdir, reloaded once. Prints JSON: ms, points, peak RSS."""
import json
import resource
import sys
import time

from tensorboard.backend.event_processing import event_multiplexer

logdir = sys.argv[1]
t = time.perf_counter()
m = event_multiplexer.EventMultiplexer(size_guidance={"scalars": 0, "tensors": 0})
m.AddRunsFromDirectory(logdir)
m.Reload()
points = 0
for run, tags in m.Runs().items():
    acc = m.GetAccumulator(run)
    for tag in tags.get("scalars", []):
        points += len(acc.Scalars(tag))
    for tag in tags.get("tensors", []):
        points += len(acc.Tensors(tag))
print(json.dumps({"ms": (time.perf_counter() - t) * 1000, "points": points, "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
