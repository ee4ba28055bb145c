"""The seed's create_animation() GIF step, verbatim in substance (Pillow, all frames in memory,
optimize=True, the seed's timing). Prints time and peak memory as JSON.
Usage: python3 pillow_gif.py FRAMES_DIR OUT.gif"""
import glob
import json
import os
import re
import resource
import sys
import time

from PIL import Image

save_dir, gif_path = sys.argv[1], sys.argv[2]
t = time.perf_counter()
png_files = glob.glob(os.path.join(save_dir, "viz_step_*_pacmap.png"))
png_files.sort(key=lambda p: int(re.search(r"viz_step_(\d+)_pacmap\.png", os.path.basename(p)).group(1)))
frames = []
for png_path in png_files:
    img = Image.open(png_path)
    if img.mode != "RGB":
        img = img.convert("RGB")
    frames.append(img)
total_target_ms = max(15000, min(30000, len(frames) * 500))
frame_duration_ms = max(100, min(2000, total_target_ms // len(frames)))
durations = [frame_duration_ms] * len(frames)
durations[-1] = frame_duration_ms * 3
frames[0].save(gif_path, save_all=True, append_images=frames[1:], duration=durations, loop=0, optimize=True)
print(json.dumps({"ms": (time.perf_counter() - t) * 1000, "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
