"""Writers for the artifacts Run Reel reads, following the producers in shared/seeds.

Each function writes files the way the upstream system does (numpy savez_compressed
with object arrays, Pillow PNGs, the stdlib wave module, an mmap'd ring buffer, the
latent store's safetensors + JSON), so fixtures and the demo are real formats.
Used by test/fixtures/make_fixtures.py and scripts/demo/make_demo.py.
"""
from __future__ import annotations

import gzip
import json
import math
import mmap
import os
import struct
import time
import uuid
import wave
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

SPACES = ("latent", "lora", "prompt")
LABELS = ("ballad", "rock", "electronic", "jazz", "folk", "hip-hop")
PROMPTS = (
    "warm piano ballad, slow tempo", "distorted guitars, driving drums", "analog synth arpeggio",
    "brushed drums, upright bass", "fingerpicked acoustic guitar", "boom bap beat, vinyl crackle",
)
VIRIDIS6 = [(68, 1, 84), (65, 68, 135), (42, 120, 142), (34, 168, 132), (122, 209, 81), (253, 231, 37)]


# ---------------------------------------------------------------- seed 000: snapshots

def embedding_run_state(n_points: dict, dims: dict, seed: int = 0):
    """Fixed per-point labels and cluster directions for an evolving embedding run."""
    rng = np.random.default_rng(seed)
    state = {}
    for space in SPACES:
        n, d = n_points[space], dims[space]
        labels = rng.integers(0, len(LABELS), size=n)
        centers = rng.normal(0, 1, size=(len(LABELS), d)).astype(np.float32)
        noise = rng.normal(0, 1, size=(n, d)).astype(np.float32)
        state[space] = {"labels": labels, "centers": centers, "noise": noise}
    return state


def snapshot_arrays(state, step: int, progress: float, seed: int):
    """Embeddings, 2-D projections and metadata for one step. progress 0..1 = clusters separate."""
    rng = np.random.default_rng(seed * 7919 + step)
    out = {}
    for space, s in state.items():
        labels, centers, noise = s["labels"], s["centers"], s["noise"]
        emb = (centers[labels] * (0.2 + 2.5 * progress) + noise).astype(np.float32)
        # A 2-D layout: clusters on a circle that tighten with progress, then an arbitrary
        # rotation/flip per step, as a refit of PaCMAP gives.
        angle = labels * (2 * math.pi / len(LABELS))
        radius = 2.0 + 6.0 * progress
        base = np.stack([np.cos(angle), np.sin(angle)], axis=1) * radius
        spread = (2.5 - 1.8 * progress) * noise[:, :2]
        proj = base + spread
        theta = rng.uniform(0, 2 * math.pi)
        rot = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
        if rng.random() < 0.5:
            rot = rot @ np.diag([1.0, -1.0])
        proj = (proj @ rot.T).astype(np.float32)
        meta = [
            {"step": int(step), "label": LABELS[int(l)], "prompt": PROMPTS[int(l)], "sample_idx": int(i),
             "loss": round(float(1.5 * (1 - progress) + 0.1 * rng.random()), 4)}
            for i, l in enumerate(labels)
        ]
        out[space] = (emb, proj, meta, labels)
    return out


def render_pacmap_png(path: Path, arrays, step: int, width: int = 1800, height: int = 500):
    """A 3-panel scatter like the producer's kaleido export (one panel per space)."""
    img = Image.new("RGB", (width, height), (255, 255, 255))
    d = ImageDraw.Draw(img)
    panel_w = width // len(arrays)
    for k, (space, (_, proj, _, labels)) in enumerate(arrays.items()):
        x0, y0, x1, y1 = k * panel_w + 40, 40, (k + 1) * panel_w - 20, height - 30
        d.rectangle([x0, y0, x1, y1], outline=(200, 200, 200))
        d.text((x0, 12), f"{space} space  (step {step})", fill=(40, 40, 40))
        lim = float(np.abs(proj).max()) or 1.0
        xs = x0 + (proj[:, 0] / lim + 1) / 2 * (x1 - x0)
        ys = y1 - (proj[:, 1] / lim + 1) / 2 * (y1 - y0)
        r = max(1, width // 900)
        for x, y, l in zip(xs, ys, labels):
            d.ellipse([x - r, y - r, x + r, y + r], fill=VIRIDIS6[int(l) % 6])
    img.save(path, format="PNG")


def write_snapshot(snap_dir: Path, step: int, arrays, png_size=(1800, 500), png: bool = True, html: bool = True):
    """viz_step_{N}_embeddings.npz (+ .png, .html, viz_latest_*), as save_snapshot() does."""
    snap_dir.mkdir(parents=True, exist_ok=True)
    npz = {}
    for space, (emb, proj, meta, _) in arrays.items():
        npz[f"{space}_embeddings"] = np.array(emb)
        npz[f"{space}_metadata"] = np.array([json.dumps(m) for m in meta], dtype=object)
        npz[f"{space}_projections_2d"] = proj
    if html:
        figure = {"data": [{"type": "scattergl", "name": s, "x": a[1][:, 0].tolist()[:50], "y": a[1][:, 1].tolist()[:50]}
                           for s, a in arrays.items()], "layout": {"title": f"PaCMAP step {step}"}}
        page = ("<html><head><meta charset=\"utf-8\" /></head><body><div id=\"fig\"></div>"
                "<script src=\"https://cdn.plot.ly/plotly-2.35.2.min.js\"></script>"
                f"<script>Plotly.newPlot('fig', {json.dumps(figure)});</script></body></html>")
        for name in (f"viz_step_{step}_pacmap.html", "viz_latest_pacmap.html"):
            (snap_dir / name).write_text(page)
    if png:
        render_pacmap_png(snap_dir / f"viz_step_{step}_pacmap.png", arrays, step, *png_size)
        render_pacmap_png(snap_dir / "viz_latest_pacmap.png", arrays, step, *png_size)
    # Written last, under a temporary name, like a careful producer (and so a watcher sees it whole).
    tmp = snap_dir / f".viz_step_{step}_embeddings.tmp.npz"
    np.savez_compressed(tmp, **npz)
    os.replace(tmp, snap_dir / f"viz_step_{step}_embeddings.npz")


# ---------------------------------------------------------------- seed 000: eval audio, checkpoints

def _tone(freqs, seconds, rate, detune=0.0, noise=0.0, seed=0):
    t = np.arange(int(seconds * rate)) / rate
    sig = sum(np.sin(2 * np.pi * f * (1 + detune) * t) / (i + 1) for i, f in enumerate(freqs))
    env = np.minimum(1, t * 8) * np.minimum(1, (seconds - t) * 8)
    sig = sig * env * 0.3
    if noise:
        sig = sig + np.random.default_rng(seed).normal(0, noise, size=t.shape)
    return np.clip(sig, -1, 1)


def write_wav(path: Path, samples: np.ndarray, rate: int, channels: int = 2):
    """16-bit PCM with the stdlib wave module (what soundfile/torchaudio users typically get)."""
    pcm = (samples * 32767).astype("<i2")
    inter = np.repeat(pcm[:, None], channels, axis=1).reshape(-1)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(inter.tobytes())


def write_eval_step(run_dir: Path, step: int, progress: float, samples: int = 2, seconds: float = 3.0, rate: int = 48000):
    d = run_dir / "eval_results" / f"step_{step}"
    d.mkdir(parents=True, exist_ok=True)
    chords = [(261.63, 329.63, 392.0), (220.0, 277.18, 329.63), (196.0, 246.94, 293.66)]
    for i in range(samples):
        freqs = chords[i % len(chords)]
        write_wav(d / f"target_wav_{i}.wav", _tone(freqs, seconds, rate), rate)
        write_wav(d / f"pred_wav_{i}.wav", _tone(freqs, seconds, rate, detune=0.03 * (1 - progress), noise=0.08 * (1 - progress), seed=step + i), rate)
        (d / f"key_prompt_lyric_{i}.txt").write_text(f"{PROMPTS[i % len(PROMPTS)]}\n[verse]\nla la la, step {step}\n")


def write_safetensors(path: Path, tensors: dict, metadata: dict | None = None):
    """Hand-written per the safetensors spec: u64 header length, JSON header, contiguous data."""
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name, value in tensors.items():
        # (dtype name, array) pairs give raw bit patterns for types numpy lacks (BF16, F8).
        dtype, arr = value if isinstance(value, tuple) else (NP_TO_ST[np.dtype(value.dtype).str[1:]], value)
        raw = np.ascontiguousarray(arr).astype(np.dtype(arr.dtype).newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    hb = json.dumps(header, separators=(",", ":")).encode()
    hb += b" " * ((8 - len(hb) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hb)))
        f.write(hb)
        for b in blobs:
            f.write(b)


NP_TO_ST = {"f4": "F32", "f2": "F16", "f8": "F64", "i1": "I8", "i2": "I16", "i4": "I32", "i8": "I64",
            "u1": "U8", "u2": "U16", "u4": "U32", "u8": "U64", "b1": "BOOL"}


def to_bf16_bits(a: np.ndarray) -> np.ndarray:
    """float32 -> bfloat16 bit patterns (round to nearest even)."""
    u = a.astype("<f4").view("<u4").astype(np.uint64)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)


def write_checkpoint(run_dir: Path, epoch: int, step: int, seed: int = 0):
    d = run_dir / "checkpoints" / f"epoch={epoch}-step={step}_lora"
    d.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed + step)
    (d / "adapter_config.json").write_text(json.dumps({"r": 8, "lora_alpha": 16, "target_modules": ["to_q", "to_v"]}))
    write_safetensors(d / "adapter_model.safetensors", {
        "base_model.model.to_q.lora_A.weight": rng.normal(0, 0.02, (8, 64)).astype(np.float32),
        "base_model.model.to_q.lora_B.weight": rng.normal(0, 0.02, (64, 8)).astype(np.float32),
    }, {"format": "pt", "step": step})


def _masked_crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 & -(crc & 1))
    crc ^= 0xFFFFFFFF
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def write_tfevents_header(run_dir: Path, wall_time: float):
    """The first record TensorBoard writes: an Event with file_version 'brain.Event:2'."""
    ver = b"brain.Event:2"
    event = b"\x09" + struct.pack("<d", wall_time) + b"\x1a" + bytes([len(ver)]) + ver
    length = struct.pack("<Q", len(event))
    rec = length + struct.pack("<I", _masked_crc32c(length)) + event + struct.pack("<I", _masked_crc32c(event))
    (run_dir / f"events.out.tfevents.{int(wall_time)}.demo-host.1234.0").write_bytes(rec)


def write_lightning_run_files(run_dir: Path, wall_time: float):
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "hparams.yaml").write_text("learning_rate: 0.0001\nlora_rank: 8\nbatch_size: 4\nmax_steps: 2000\n")
    write_tfevents_header(run_dir, wall_time)


# ---------------------------------------------------------------- seed 001: episodes

ARC_OPS = ["fill_color_1", "fill_color_2", "fill_color_3", "flood_fill", "move_up", "move_down", "rotate_90", "flip_h", "copy", "paste", "submit"]


ARC_COLOURS = ["#000000", "#0074D9", "#FF4136", "#2ECC40", "#FFDC00", "#AAAAAA", "#F012BE", "#FF851B", "#7FDBFF", "#870C25"]


def _grid_svg(grid) -> str:
    colours = ARC_COLOURS
    h, w = len(grid), len(grid[0])
    cells = "".join(f'<rect x="{x*10}" y="{y*10}" width="10" height="10" fill="{colours[v]}" stroke="#555"/>'
                    for y, row in enumerate(grid) for x, v in enumerate(row))
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="{w*10}" height="{h*10}">{cells}</svg>'


def write_episode(run_dir: Path, episode: int, steps: int, size=(10, 10), full_states: bool = True,
                  gzipped: bool = False, images: str = "png", seed: int = 0, start=1763700000.0,
                  state_format: str = "grid", pad_to=None, task_id=None):
    """episode_NNNN/ with step_NNN images and episode_NNNN_YYYYMMDD_HHMMSS.json[.gz] (StructuredLogger).

    visualization_path is relative to the training process's working directory, as the
    EpisodeManager's paths are (base_output_dir "outputs/episodes/<run>").
    state_format "grid": states as {"grid", "target_grid", "step_count"}, compact JSON.
    state_format "jaxarc": what JaxARC's StructuredLogger writes for a full State (its
    __dict__ through tolist(), json.dump indent=2): working_grid padded to `pad_to` with -1
    and its working_grid_mask, input/target grids, the `selected` mask, clipboard, scalars;
    the action is {"operation": id, "selection": mask} with no operation name."""
    rng = np.random.default_rng(seed * 1000 + episode)
    h, w = size
    ph, pw = pad_to or size
    target = rng.integers(0, 10, size=(h, w))
    grid = np.zeros((h, w), dtype=int)
    ep_dir = run_dir / f"episode_{episode:04d}"
    ep_dir.mkdir(parents=True, exist_ok=True)

    def padded(a, fill=-1):
        out = np.full((ph, pw), fill, dtype=int)
        out[:h, :w] = a
        return out.tolist()

    def jaxarc_state(g, sel, s, sim):
        mask = padded(np.ones((h, w), dtype=int), 0)
        return {
            "working_grid": padded(g), "working_grid_mask": [[bool(v) for v in r] for r in mask],
            "input_grid": padded(np.zeros((h, w), dtype=int)), "target_grid": padded(target),
            "target_grid_mask": [[bool(v) for v in r] for r in mask], "selected": [[bool(v) for v in r] for r in padded(sel.astype(int), 0)],
            "clipboard": padded(np.zeros((h, w), dtype=int), 0), "step_count": s, "episode_done": False,
            "similarity_score": sim, "allowed_operations_mask": [True] * 35,
        }

    log_steps, total, sim_prev = [], 0.0, float((grid == target).mean())
    for s in range(steps):
        before = grid.copy()
        y0, x0 = int(rng.integers(0, h - 2)), int(rng.integers(0, w - 2))
        sel = np.zeros((h, w), dtype=bool)
        sel[y0:y0 + 3, x0:x0 + 3] = True
        op = int(rng.integers(0, len(ARC_OPS) - 1))
        # Mostly copy the target into the selection (progress), sometimes a wrong colour.
        grid[sel] = target[sel] if rng.random() < 0.8 else int(rng.integers(0, 10))
        sim = float((grid == target).mean())
        reward = round(sim - sim_prev, 4)
        total += reward
        vis = None
        if images:
            vis_name = f"step_{s:03d}.{images}"
            if images == "svg":
                (ep_dir / vis_name).write_text(_grid_svg(grid.tolist()))
            else:
                rgb = np.array([[[int(ARC_COLOURS[v][i:i + 2], 16) for i in (1, 3, 5)] for v in row] for row in grid], dtype=np.uint8)
                Image.fromarray(rgb).resize((w * 16, h * 16), Image.NEAREST).save(ep_dir / vis_name)
            vis = f"outputs/episodes/{run_dir.name}/episode_{episode:04d}/{vis_name}"
        if state_format == "jaxarc":
            log_steps.append({
                "step_num": s, "timestamp": start + s * 0.05,
                "before_state": jaxarc_state(before, np.zeros((h, w), dtype=bool), s, round(sim_prev, 4)),
                "action": {"operation": op, "selection": [[bool(v) for v in r] for r in padded(sel.astype(int), 0)]},
                "after_state": jaxarc_state(grid, sel, s + 1, round(sim, 4)), "reward": reward,
                "info": {"similarity": round(sim, 4), "success": bool(sim == 1.0), "step_count": s + 1}, "visualization_path": vis,
            })
        else:
            state = (lambda g: {"grid": g.tolist(), "target_grid": target.tolist(), "step_count": s}) if full_states else (lambda g: {"grid_shape": [h, w], "step_count": s})
            log_steps.append({
                "step_num": s, "timestamp": start + s * 0.05, "before_state": state(before),
                "action": {"operation": op, "operation_name": ARC_OPS[op], "selection": sel.astype(int).tolist() if full_states else [y0, x0, y0 + 2, x0 + 2]},
                "after_state": state(grid), "reward": reward,
                "info": {"similarity": round(sim, 4), "success": bool(sim == 1.0)}, "visualization_path": vis,
            })
        sim_prev = sim
    entry = {
        "episode_num": episode, "start_timestamp": start, "end_timestamp": start + steps * 0.05,
        "total_steps": steps, "total_reward": round(total, 4), "final_similarity": round(sim_prev, 4),
        "task_id": task_id or f"arc_{episode * 37 % 400:03d}", "config_hash": "3f9a1c2e",
        "summary_visualization_path": None, "metadata": {}, "steps": log_steps,
    } if state_format == "jaxarc" else {
        "episode_num": episode, "start_timestamp": start, "end_timestamp": start + steps * 0.05,
        "total_steps": steps, "total_reward": round(total, 4), "final_similarity": round(sim_prev, 4),
        "task_id": task_id or f"arc_{episode * 37 % 400:03d}", "config_hash": "3f9a1c2e", "steps": log_steps,
        "summary_visualization_path": None,
    }
    stamp = time.strftime("%Y%m%d_%H%M%S", time.gmtime(start))
    name = f"episode_{episode:04d}_{stamp}.json"
    data = json.dumps(entry, indent=2 if state_format == "jaxarc" else None).encode()
    path = ep_dir / (name + ".gz" if gzipped else name)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(gzip.compress(data, mtime=0) if gzipped else data)
    os.replace(tmp, path)  # a watcher never sees half a log
    return entry


# ---------------------------------------------------------------- seed 004: latent store

def write_latent(store: Path, *, stage_type="generate", is_checkpoint=False, checkpoint_step=None, total_steps=60,
                 created_at=None, pinned=False, shape=(1, 64, 16), dtype="float32", params=None, seed=0,
                 write_tensor=True, write_record=True, latent_id=None):
    """{uuid}.safetensors + {uuid}.json as LatentStore.store() writes them."""
    store.mkdir(parents=True, exist_ok=True)
    latent_id = latent_id or str(uuid.UUID(bytes=np.random.default_rng(seed).bytes(16), version=4))
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 1, shape[1])[None, :, None]
    arr = (np.sin(2 * np.pi * (t * (1 + np.arange(shape[2]) / 4))) + rng.normal(0, 0.1, size=shape)).astype(np.float32)
    path = store / f"{latent_id}.safetensors"
    if write_tensor:
        if dtype == "bfloat16":
            write_safetensors(path, {"latent": ("BF16", to_bf16_bits(arr))})
        elif dtype == "float16":
            write_safetensors(path, {"latent": arr.astype(np.float16)})
        else:
            write_safetensors(path, {"latent": arr})
    record = {
        "id": latent_id, "path": str(path), "shape": list(shape), "dtype": dtype,
        "model_variant": "acestep-v15-base", "stage_type": stage_type, "is_checkpoint": is_checkpoint,
        "checkpoint_step": checkpoint_step, "total_steps": total_steps,
        "params": params or {"caption": "dreamy synthwave, 110 bpm", "lyrics": "[verse]\nneon rain", "inference_steps": total_steps, "seed": seed},
        "lm_metadata": {"bpm": 110, "key": "A minor", "duration": 30.0}, "batch_size": 1,
        "created_at": time.time() if created_at is None else created_at, "pinned": pinned,
    }
    if write_record:
        (store / f"{latent_id}.json").write_text(json.dumps(record, indent=2))
    return record


# ---------------------------------------------------------------- seed 003: ring buffer

HEADER_BYTES = 4096
MAGIC = 0x4155444954414221  # "AUDITAB!" read as a big-endian u64; stored as the ASCII bytes


class RingBufferWriter:
    """The seed's RingBufferWriter: 4096-byte header, planar f64 channels, a write sequence.

    header_spw: what bytes 48-55 say; audiotab's real writer leaves them 0 (its stride is 1024).
    """

    def __init__(self, path: Path, sample_rate=48000, channels=8, capacity=48000 * 30, samples_per_write=1024, header_spw=None):
        self.path, self.rate, self.channels, self.capacity, self.spw = Path(path), sample_rate, channels, capacity, samples_per_write
        size = HEADER_BYTES + channels * capacity * 8
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "wb") as f:
            f.truncate(size)
        self.file = open(tmp, "r+b")
        self.mm = mmap.mmap(self.file.fileno(), size)
        self.mm[0:8] = b"AUDITAB!"
        struct.pack_into("<QQQQQQ", self.mm, 8, 1, sample_rate, channels, capacity, 0, samples_per_write if header_spw is None else header_spw)
        os.replace(tmp, self.path)
        self.sequence = 0

    def write(self, block: np.ndarray):
        """block: (channels, samples_per_write) float64."""
        start = (self.sequence * self.spw) % self.capacity
        for ch in range(self.channels):
            data = np.ascontiguousarray(block[ch], dtype="<f8")
            first = min(self.spw, self.capacity - start)
            base = HEADER_BYTES + ch * self.capacity * 8
            self.mm[base + start * 8: base + (start + first) * 8] = data[:first].tobytes()
            if first < self.spw:
                self.mm[base: base + (self.spw - first) * 8] = data[first:].tobytes()
        self.sequence += 1
        struct.pack_into("<Q", self.mm, 40, self.sequence)  # published after the samples

    def close(self):
        self.mm.flush()
        self.mm.close()
        self.file.close()


def test_signal_block(seq: int, spw: int, rate: int, channels: int) -> np.ndarray:
    """Channel c: a tone at 220·(c+1) Hz; channel 0 also sweeps, so the waterfall moves."""
    n0 = seq * spw
    t = (n0 + np.arange(spw)) / rate
    out = np.empty((channels, spw))
    for c in range(channels):
        out[c] = 0.5 * np.sin(2 * np.pi * 220 * (c + 1) * t)
    # Instantaneous frequency 1700 + 1500·sin(πt/4) Hz (200…3200 Hz every 8 s); its phase in
    # closed form, so the sweep runs on smoothly across blocks.
    phase = 2 * np.pi * (1700 * t - (6000 / np.pi) * np.cos(np.pi * t / 4))
    out[0] = 0.4 * np.sin(phase) + 0.3 * np.sin(2 * np.pi * 440 * t)
    return out
