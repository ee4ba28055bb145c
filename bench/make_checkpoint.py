"""A ~2 GB safetensors checkpoint for the inspector bench, written tensor by tensor (never
all in memory): 120 BF16 [4096, 2048] weights and one F32 [32000, 1024] embedding."""
import json
import struct
import sys

import numpy as np

path = sys.argv[1]
rng = np.random.default_rng(0)
specs = [("model.embed_tokens.weight", "F32", (32000, 1024))] + [(f"model.layers.{i // 4}.w{i % 4}.weight", "BF16", (4096, 2048)) for i in range(120)]
header, offset = {"__metadata__": {"format": "pt", "producer": "runreel bench"}}, 0
for name, dtype, shape in specs:
    n = int(np.prod(shape)) * (4 if dtype == "F32" else 2)
    header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + n]}
    offset += n
hb = json.dumps(header).encode()
hb += b" " * ((8 - len(hb) % 8) % 8)
with open(path + ".tmp", "wb") as f:
    f.write(struct.pack("<Q", len(hb)) + hb)
    for name, dtype, shape in specs:
        a = rng.standard_normal(shape, dtype=np.float32) * 0.02
        f.write(a.tobytes() if dtype == "F32" else (a.view(np.uint32) >> 16).astype("<u2").tobytes())
import os
os.replace(path + ".tmp", path)
