"""TensorBoard's Rust data server (rustboard, what `tensorboard --load_fast=true` runs), timed
from its start until every scalar series is loaded and then served. Its own gRPC API is asked:
ListScalars gives each series' last step without its points, so progress is checked for free;
when every series has reached the last step Run Reel read for it, one ReadScalars call serves
every point. Peak memory is the server process's.
Usage: LOGDIR MODE(all|sampled) MAX_STEPS_JSON. Prints JSON."""
import json
import os
import subprocess
import sys
import tempfile
import time

import grpc
import tensorboard_data_server
from tensorboard.data.proto import data_provider_pb2 as pb
from tensorboard.data.proto import data_provider_pb2_grpc as pbg

logdir, mode, max_steps_file = sys.argv[1], sys.argv[2], sys.argv[3]
with open(max_steps_file) as f:
    want = json.load(f)
longest = 10**9
port_file = tempfile.mktemp()
args = [tensorboard_data_server.server_binary(), "--logdir", logdir, "--port", "0", "--port-file", port_file, "--reload", "once", "--die-after-stdin"]
if mode == "all":
    args += ["--samples-per-plugin", f"scalars={longest}"]
t0 = time.perf_counter()
proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


peak = 0.0
try:
    while not (os.path.exists(port_file) and open(port_file).read().strip()):
        if time.perf_counter() - t0 > 60:
            raise SystemExit(json.dumps({"error": "the data server did not start in 60 s"}))
        time.sleep(0.01)
    port = int(open(port_file).read().strip())
    channel = grpc.insecure_channel(f"127.0.0.1:{port}", options=[("grpc.max_receive_message_length", 2**31 - 1)])
    stub = pbg.TensorBoardDataProviderStub(channel)
    scalars = pb.PluginFilter(plugin_name="scalars")
    while True:
        peak = max(peak, rss_mb(proc.pid))
        if time.perf_counter() - t0 > 900:
            raise SystemExit(json.dumps({"error": "not loaded after 900 s"}))
        try:
            listed = stub.ListScalars(pb.ListScalarsRequest(plugin_filter=scalars))
        except grpc.RpcError:
            time.sleep(0.02)
            continue
        have = {r.run_name: {t.tag_name: t.metadata.max_step for t in r.tags} for r in listed.runs}
        if all(have.get(run, {}).get(tag) == step for run, tags in want.items() for tag, step in tags.items()):
            break
        time.sleep(0.02)
    loaded_ms = (time.perf_counter() - t0) * 1000
    read = stub.ReadScalars(pb.ReadScalarsRequest(plugin_filter=scalars, downsample=pb.Downsample(num_points=longest)))
    points = sum(len(t.data.step) for r in read.runs for t in r.tags)
    peak = max(peak, rss_mb(proc.pid))
    print(json.dumps({"ms": (time.perf_counter() - t0) * 1000, "loaded_ms": loaded_ms, "points": points, "max_rss_mb": peak}))
finally:
    proc.stdin.close()
    proc.terminate()
    proc.wait()
