"""Records the reference decoders' verdicts on ../shared/corpora into expected.json, so the
conformance test compares Run Reel with them (the expectations are numpy's, safetensors', CPython's
and scipy's, never Run Reel's own). PNG and the object-array rules come from the corpora README
and the file names, and are written in the test itself.

Run: python3 test/conformance/make_expected.py   (needs numpy, scipy, safetensors)
"""
import gzip
import json
import math
import sys
import warnings
import wave
from pathlib import Path

import numpy as np
import safetensors
import scipy
from scipy.io import wavfile

ROOT = Path(__file__).resolve().parents[3] / "shared" / "corpora"
OUT = Path(__file__).parent / "expected.json"


def first(a, n=5):
    flat = np.asarray(a).ravel(order="C")[:n]
    out = []
    for v in flat.tolist():
        if isinstance(v, float) and not math.isfinite(v):
            out.append(str(v))
        elif isinstance(v, complex):
            out.append([v.real, v.imag])
        elif isinstance(v, bytes):
            out.append(v.decode("latin1"))
        elif isinstance(v, (bool, int, float, str)) or v is None:
            out.append(v)
        else:
            out.append(repr(v))
    return out


def npy_verdict(path):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = np.load(path, allow_pickle=False)
    except Exception as e:  # numpy's own refusal
        return {"ok": False, "error": f"{type(e).__name__}: {e}"[:200]}
    if isinstance(a, np.lib.npyio.NpzFile):
        members = {}
        for k in a.files:
            try:
                m = a[k]
                members[k] = {"ok": True, "dtype": m.dtype.str, "shape": list(m.shape), "first": first(m)}
            except Exception as e:
                members[k] = {"ok": False, "error": f"{type(e).__name__}: {e}"[:200]}
        return {"ok": True, "members": members}
    return {"ok": True, "dtype": a.dtype.str, "shape": list(a.shape), "fortran": bool(a.flags.f_contiguous and not a.flags.c_contiguous and a.ndim > 1), "first": first(a)}


def safetensors_verdict(path):
    try:
        with safetensors.safe_open(str(path), "np") as f:
            meta = f.metadata()
            tensors = {}
            for k in f.keys():
                sl = f.get_slice(k)
                tensors[k] = {"dtype": sl.get_dtype(), "shape": list(sl.get_shape())}
        return {"ok": True, "metadata": meta, "tensors": tensors}
    except Exception as e:
        return {"ok": False, "error": f"{type(e).__name__}: {e}"[:200]}


def cpython_wav(path):
    try:
        with wave.open(str(path)) as w:
            return {"ok": True, "rate": w.getframerate(), "channels": w.getnchannels(), "frames": w.getnframes(), "sampwidth": w.getsampwidth()}
    except Exception as e:
        return {"ok": False, "error": f"{type(e).__name__}: {e}"[:200]}


def scipy_wav(path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            rate, data = wavfile.read(str(path), mmap=False)
        except Exception as e:
            return {"ok": False, "error": f"{type(e).__name__}: {e}"[:200]}
    channels = 1 if data.ndim == 1 else data.shape[1]
    return {"ok": True, "rate": rate, "channels": channels, "frames": data.shape[0], "dtype": data.dtype.str,
            "warnings": [str(w.message)[:200] for w in caught]}


def gzip_verdict(path):
    try:
        data = gzip.decompress(path.read_bytes())
        return {"ok": True, "bytes": len(data)}
    except Exception as e:
        return {"ok": False, "error": f"{type(e).__name__}: {e}"[:200]}


expected = {"_sources": {"numpy": np.__version__, "scipy": scipy.__version__, "safetensors": safetensors.__version__, "python": sys.version.split()[0]}}
for p in sorted(ROOT.rglob("*")):
    if not p.is_file():
        continue
    rel = p.relative_to(ROOT).as_posix()
    if rel.startswith("numpy/") and p.suffix in (".npy", ".npz"):
        expected[rel] = npy_verdict(p)
    elif rel.startswith("safetensors/"):
        expected[rel] = safetensors_verdict(p)
    elif rel.startswith("wav/cpython"):
        expected[rel] = cpython_wav(p)
    elif rel.startswith("wav/scipy/"):
        expected[rel] = scipy_wav(p)
    elif rel.startswith("gzip/"):
        expected[rel] = gzip_verdict(p)
OUT.write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")
print(f"wrote {len(expected) - 1} verdicts to {OUT}")
