"""Generates a demo shop and imports its events while they are written, without the events
file ever being whole on disk (at a million customers it would be about 60 GB).

`strata demo --no-import` writes OUT/data/events.jsonl as it goes. This follows the growing
file, hands its lines in chunks to `strata import events` (one import, one transaction, per
chunk, read from a pipe: an import's memory grows with its rows), punches holes in the part
already read so that its disk blocks are freed, and pauses the generator (SIGSTOP, SIGCONT)
whenever more than --backlog bytes wait unread. The other files (customers, orders, order
lines, reviews) are left in OUT/data for the caller to import.

Usage: stream_events.py STRATA WORKSPACE OUT CUSTOMERS [--chunk LINES] [--backlog BYTES]
"""

import argparse
import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
import threading
import time

FALLOC_FL_KEEP_SIZE = 0x01
FALLOC_FL_PUNCH_HOLE = 0x02
BLOCK = 1 << 20

libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_long, ctypes.c_long]


def punch(fd, start, end):
    """Frees the disk blocks of [start, end) (whole blocks only); the size stays."""
    start = (start + BLOCK - 1) // BLOCK * BLOCK
    end = end // BLOCK * BLOCK
    if end > start:
        if libc.fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, start, end - start) != 0:
            return False
    return True


class Importer:
    """`strata import events` reading JSON Lines from a pipe, one per chunk."""

    def __init__(self, strata, ws):
        self.strata, self.ws = strata, ws
        self.proc, self.lines, self.chunks, self.total = None, 0, 0, 0

    def write(self, data, lines):
        if self.proc is None:
            self.proc = subprocess.Popen(
                [self.strata, "--quiet", "-w", self.ws, "import", "events", "--format", "jsonl",
                 "/dev/stdin"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.proc.stdin.write(data)
        self.lines += lines
        self.total += lines

    def finish(self):
        if self.proc is None:
            return
        self.proc.stdin.close()
        out = self.proc.stdout.read().decode("utf-8", "replace").strip().splitlines()
        rc = self.proc.wait()
        self.chunks += 1
        print(f"   events chunk {self.chunks}: {self.lines} lines; "
              f"{out[-1] if out else ''}", flush=True)
        if rc != 0:
            sys.exit(f"strata import events failed (exit {rc})")
        self.proc, self.lines = None, 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("strata")
    ap.add_argument("workspace")
    ap.add_argument("out")
    ap.add_argument("customers")
    ap.add_argument("--chunk", type=int, default=25_000_000, help="events per import")
    ap.add_argument("--backlog", type=int, default=4 << 30, help="pause the generator above")
    args = ap.parse_args()

    path = os.path.join(args.out, "data", "events.jsonl")
    started = time.time()
    # The generator is paused with SIGSTOP; should its process group be orphaned meanwhile
    # (the shell that started the benchmark exits), the kernel sends it SIGHUP: ignore that.
    demo = subprocess.Popen([args.strata, "--quiet", "demo", "--customers", args.customers,
                             "--no-import", "--out", args.out], stdout=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN))
    while not os.path.exists(path):
        if demo.poll() is not None:
            sys.exit(f"strata demo ended (exit {demo.returncode}) before writing {path}")
        time.sleep(0.05)
    fd = os.open(path, os.O_RDWR)  # writable: punching holes needs it
    imp = Importer(args.strata, args.workspace)
    # What the importers have taken so far, for the throttle; it runs in its own thread, since
    # the main one blocks writing to an import that is busy.
    state = {"consumed": 0, "paused": False, "pauses": 0, "stop": False}
    lock = threading.Lock()

    def throttle():
        while not state["stop"]:
            with lock:
                if demo.poll() is not None:
                    break
                backlog = os.fstat(fd).st_size - state["consumed"]
                if not state["paused"] and backlog > args.backlog:
                    demo.send_signal(signal.SIGSTOP)
                    state["paused"] = True
                    state["pauses"] += 1
                elif state["paused"] and backlog < args.backlog // 4:
                    demo.send_signal(signal.SIGCONT)
                    state["paused"] = False
            time.sleep(0.2)

    watcher = threading.Thread(target=throttle, daemon=True)
    watcher.start()
    offset, freed, rest, punch_ok = 0, 0, b"", True
    try:
        while True:
            done = demo.poll() is not None
            data = os.pread(fd, 16 << 20, offset)
            if data:
                offset += len(data)
                data = rest + data
                cut = data.rfind(b"\n") + 1
                rest = data[cut:]
                data = data[:cut]
                while data:
                    # Up to the end of this chunk of lines.
                    room = args.chunk - imp.lines
                    n = data.count(b"\n")
                    if n <= room:
                        imp.write(data, n)
                        data = b""
                    else:
                        at = -1
                        for _ in range(room):
                            at = data.index(b"\n", at + 1)
                        imp.write(data[:at + 1], room)
                        data = data[at + 1:]
                    if imp.lines >= args.chunk:
                        imp.finish()
                with lock:
                    state["consumed"] = offset
                if punch_ok:
                    punch_ok = punch(fd, freed, offset)
                    freed = offset // BLOCK * BLOCK
                continue
            if done:
                break
            time.sleep(0.1)
        if rest:
            imp.write(rest + (b"" if rest.endswith(b"\n") else b"\n"), 1)
        imp.finish()
    finally:
        state["stop"] = True
        watcher.join()
        if state["paused"] and demo.poll() is None:
            demo.send_signal(signal.SIGCONT)
    out = demo.stdout.read().decode("utf-8", "replace").strip()
    if demo.wait() != 0:
        sys.exit(f"strata demo failed (exit {demo.returncode})")
    os.close(fd)
    os.remove(path)
    print(f"   {out.splitlines()[-1] if out else ''}")
    print(f"   generated and imported {imp.total} events in {imp.chunks} imports, "
          f"{time.time() - started:.0f} s (generator paused {state['pauses']} times"
          f"{'' if punch_ok else '; hole punching unsupported here, the file kept its blocks'})",
          flush=True)


if __name__ == "__main__":
    main()
