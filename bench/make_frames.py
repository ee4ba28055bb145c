"""100 plot frames like the producer's (three scatter panels, anti-aliased), at a given size.
Usage: python3 make_frames.py OUT_DIR WIDTH HEIGHT"""
import math
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

out, W, H = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
out.mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(1)
n = 1500
labels = rng.integers(0, 6, n)
base = rng.normal(size=(n, 2))
colours = [(68, 1, 84), (65, 68, 135), (42, 120, 142), (34, 168, 132), (122, 209, 81), (253, 231, 37)]
for step in range(100):
    t = step / 99
    # Drawn at 2x and downsampled: anti-aliased edges, as kaleido renders.
    img = Image.new("RGB", (W * 2, H * 2), (255, 255, 255))
    d = ImageDraw.Draw(img)
    pw = W * 2 // 3
    for k in range(3):
        x0, y0, x1, y1 = k * pw + 80, 80, (k + 1) * pw - 40, H * 2 - 60
        d.rectangle([x0, y0, x1, y1], outline=(190, 190, 190), width=2)
        d.text((x0, 20), f"space {k} step {step * 50}", fill=(40, 40, 40))
        ang = labels * (2 * math.pi / 6) + k
        pts = np.stack([np.cos(ang), np.sin(ang)], 1) * (1 + 3 * t) + base * (1.6 - t)
        xs = x0 + (pts[:, 0] / 6 + 0.5) * (x1 - x0)
        ys = y1 - (pts[:, 1] / 6 + 0.5) * (y1 - y0)
        r = max(3, W // 450)
        for x, y, l in zip(xs, ys, labels):
            d.ellipse([x - r, y - r, x + r, y + r], fill=colours[l])
    img.resize((W, H), Image.LANCZOS).save(out / f"viz_step_{step * 50}_pacmap.png")
