"""The demo workspace: synthetic but realistic runs of every producer in shared/seeds.

  python3 demo.py init DIR   write the initial workspace (a training run part-way through,
                             an RL episode log, a latent store, a ring buffer file)
  python3 demo.py live DIR   keep it alive like a running experiment: fill the ring buffer in
                             real time, write a new training step every few seconds and a new
                             episode now and then, until stopped (SIGINT/SIGTERM)
"""
import os
import signal
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "producers"))
import runreel_producers as P  # noqa: E402

RUN = Path("lightning_logs") / "acestep_lora_r8"
EPISODES = Path("outputs") / "episodes" / "arc_ppo_run"
RING = Path("live") / "audiotab_ringbuf"
POINTS = {"latent": 1500, "lora": 800, "prompt": 400}
DIMS = {"latent": 64, "lora": 32, "prompt": 256}
STEP_EVERY, FIRST_LIVE_STEP, LAST_STEP = 50, 650, 2000
SEED = 7


def progress(step):
    return min(1.0, step / LAST_STEP)


def write_training_step(ws: Path, state, step: int):
    run = ws / RUN
    P.write_snapshot(run / "viz_snapshots", step, P.snapshot_arrays(state, step, progress(step), SEED))
    if step % 250 == 0:
        P.write_eval_step(run, step, progress(step), samples=2, seconds=4.0)
    if step % 500 == 0:
        P.write_checkpoint(run, step // 500, step, SEED)


def init(ws: Path):
    now = time.time()
    state = P.embedding_run_state(POINTS, DIMS, SEED)
    P.write_lightning_run_files(ws / RUN, now - 3600)
    for step in range(STEP_EVERY, FIRST_LIVE_STEP, STEP_EVERY):
        write_training_step(ws, state, step)
    P.write_eval_step(ws / RUN, 0, 0.0, samples=2, seconds=4.0)

    for ep in range(6):
        P.write_episode(ws / EPISODES, ep, steps=20 + 8 * ep, size=(10, 10), images="png", seed=SEED, start=now - 3000 + ep * 60)
    P.write_episode(ws / EPISODES, 6, steps=30, size=(10, 10), images="svg", full_states=False, gzipped=True, seed=SEED, start=now - 2500)

    store = ws / "latents"
    base = {"caption": "dreamy synthwave, 110 bpm", "lyrics": "[verse]\nneon rain on the window", "inference_steps": 60, "seed": 1234}
    for k in (20, 40):  # one generation: step-K checkpoints and the final latent share params
        P.write_latent(store, seed=100 + k, is_checkpoint=True, checkpoint_step=k, params=base, created_at=now - 600, shape=(1, 256, 64))
    P.write_latent(store, seed=160, params=base, created_at=now - 590, shape=(1, 256, 64))
    P.write_latent(store, seed=200, stage_type="refine", dtype="bfloat16", created_at=now - 7200, shape=(1, 256, 64))
    P.write_latent(store, seed=300, stage_type="cover", pinned=True, created_at=now - 40 * 3600, shape=(1, 256, 64))
    P.write_latent(store, seed=400, created_at=now - 23.5 * 3600, shape=(1, 256, 64))  # expires within the hour
    P.write_latent(store, seed=500, created_at=now - 60, shape=(1, 256, 64), write_tensor=False)  # orphaned record
    P.write_latent(store, seed=600, created_at=now - 60, shape=(1, 256, 64), write_record=False)  # orphaned tensor
    (ws / RING).parent.mkdir(parents=True, exist_ok=True)
    write_media(ws / "outputs")


def write_media(out: Path):
    """Seed 002: generated character images under UUID names, and scene clips to stitch."""
    import shutil
    import subprocess
    import uuid
    from PIL import Image, ImageDraw
    gallery = out / "character_reference"
    gallery.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    for i in range(8):
        hue = i / 8
        img = Image.new("RGB", (512, 512), tuple(int(40 + 60 * c) for c in (hue, 1 - hue, 0.5)))
        d = ImageDraw.Draw(img)
        for _ in range(6):
            x, y, r = rng.integers(60, 452, 2).tolist() + [int(rng.integers(20, 90))]
            d.ellipse((x - r, y - r, x + r, y + r), fill=tuple(int(v) for v in rng.integers(60, 255, 3)))
        name = uuid.UUID(bytes=rng.bytes(16), version=4)
        img.save(gallery / f"{name}.{['png', 'jpg', 'webp'][i % 3]}")
    ffmpeg = os.environ.get("RUNREEL_FFMPEG") or shutil.which("ffmpeg")
    if not ffmpeg:
        print("[demo] no ffmpeg: the demo has no video clips", flush=True)
        return
    clips = out / "videos"
    clips.mkdir(parents=True, exist_ok=True)
    for k, (src, codec) in enumerate([("testsrc2", "libvpx-vp9"), ("mandelbrot", "libvpx-vp9"), ("life", "libx264")]):
        ext = "mp4" if codec == "libx264" else "webm"
        subprocess.run([ffmpeg, "-v", "error", "-y", "-f", "lavfi", "-i", f"{src}=size=320x240:rate=24", "-f", "lavfi", "-i", f"sine=frequency={220 * (k + 1)}",
                        "-t", "3", "-c:v", codec, "-pix_fmt", "yuv420p", *(["-c:a", "libopus"] if ext == "webm" else ["-c:a", "aac"]), "-shortest",
                        str(clips / f"scene_{k + 1}.{ext}")], check=True)


def live(ws: Path):
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    ring = P.RingBufferWriter(ws / RING, sample_rate=48000, channels=8, capacity=48000 * 30, samples_per_write=1024)
    state = P.embedding_run_state(POINTS, DIMS, SEED)
    step, episode = FIRST_LIVE_STEP, 7
    started = time.monotonic()
    next_step_at, next_episode_at = started + 5, started + 20
    print(f"[demo] live: ring buffer {ws / RING}, training steps every 5 s up to {LAST_STEP}", flush=True)
    try:
        while not stop:
            # Real time: as many 1024-sample blocks as the clock says are due.
            due = int((time.monotonic() - started) * ring.rate / ring.spw)
            while ring.sequence < due and not stop:
                ring.write(P.test_signal_block(ring.sequence, ring.spw, ring.rate, ring.channels))
            now = time.monotonic()
            if step <= LAST_STEP and now >= next_step_at:
                write_training_step(ws, state, step)
                step += STEP_EVERY
                next_step_at = now + 5
            if now >= next_episode_at and episode < 40:
                P.write_episode(ws / EPISODES, episode, steps=25, size=(10, 10), images="png", seed=SEED, start=time.time())
                episode += 1
                next_episode_at = now + 20
            time.sleep(0.01)
    finally:
        ring.close()
        print("[demo] live writer stopped", flush=True)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("init", "live"):
        sys.exit(__doc__)
    target = Path(sys.argv[2])
    target.mkdir(parents=True, exist_ok=True)
    (init if sys.argv[1] == "init" else live)(target)
