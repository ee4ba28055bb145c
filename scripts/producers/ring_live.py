"""Fill a seed-003 ring buffer in real time with the producer's test signal, until stopped.

  python3 ring_live.py PATH [--rate 48000] [--channels 8] [--seconds-held 30] [--spw 1024] [--audiotab]

--audiotab writes the header as audiotab's real writer does: samples-per-write left 0 (its
stride is a fixed 1024; --spw is ignored).

Channel c is a 220·(c+1) Hz tone at half scale; channel 0 sweeps. Prints "ready" once the
file exists. Used by the tests and the bench as the real writer.
"""
import argparse
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import runreel_producers as P  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("path")
parser.add_argument("--rate", type=int, default=48000)
parser.add_argument("--channels", type=int, default=8)
parser.add_argument("--seconds-held", type=float, default=30)
parser.add_argument("--spw", type=int, default=1024)
parser.add_argument("--audiotab", action="store_true")
args = parser.parse_args()
if args.audiotab:
    args.spw = 1024

stop = []
signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
signal.signal(signal.SIGINT, lambda *_: stop.append(1))
ring = P.RingBufferWriter(Path(args.path), sample_rate=args.rate, channels=args.channels, capacity=int(args.rate * args.seconds_held), samples_per_write=args.spw, header_spw=0 if args.audiotab else None)
print("ready", flush=True)
started = time.monotonic()
try:
    while not stop:
        due = int((time.monotonic() - started) * ring.rate / ring.spw)
        while ring.sequence < due and not stop:
            ring.write(P.test_signal_block(ring.sequence, ring.spw, ring.rate, ring.channels))
        time.sleep(0.002)
finally:
    ring.close()
