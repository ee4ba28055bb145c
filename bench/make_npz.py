"""The benchmark snapshot: three spaces x 20,000 points, 768-dim float32 embeddings, 2-D
projections and JSON metadata (object arrays), written as the producer writes it
(np.savez_compressed). Usage: python3 make_npz.py OUT.npz"""
import json
import sys

import numpy as np

rng = np.random.default_rng(0)
arrays = {}
for space in ("latent", "lora", "prompt"):
    n = 20_000
    arrays[f"{space}_embeddings"] = rng.normal(size=(n, 768)).astype(np.float32)
    arrays[f"{space}_projections_2d"] = rng.normal(size=(n, 2)).astype(np.float32)
    arrays[f"{space}_metadata"] = np.array(
        [json.dumps({"step": 5000, "label": f"c{i % 7}", "prompt": f"prompt number {i}", "sample_idx": i}) for i in range(n)], dtype=object)
np.savez_compressed(sys.argv[1], **arrays)
