#!/usr/bin/env python3
"""The resident memory of `bubblesim serve` under a long mixed load: ordinary use and attacks.

Usage: serve_memory.py BUBBLESIM [--seconds S] [--max-growth-mb M] [--csv FILE]
Example: bench/serve_memory.py build/release/bubblesim --seconds 300

Starts `BUBBLESIM serve --port 0` and, for S seconds, sends at once from several threads:
single runs and small Monte Carlo jobs (followed to their end, or cancelled), requests that must
be refused (bad JSON, bytes that are not UTF-8, 1e99999, a forged Host, a cross-site text/plain
POST, a declared and a chunked body past --max-body, 2,000 byte ranges), connections that
trickle their headers, and bursts of 50 connections. It samples the server's resident size
(VmRSS) every second and prints one line every few seconds.

It fails (exit 1) if any answer is a 5xx or the server dies, or if memory does not stay flat:
the largest resident size of the second half of the run must not exceed that of the first half
by more than M MB (default 24). Uses only the Python standard library.
"""
import argparse
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time

SHORT = {"extends": "default", "name": "short", "time": {"end": "2029-01"}}


def status_field(pid, name):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(name + ":"):
                return int(line.split()[1])
    return 0


def rss_mb(pid):
    return status_field(pid, "VmRSS") / 1024


class Load:
    def __init__(self, port, until):
        self.port = port
        self.until = until
        self.lock = threading.Lock()
        self.counts = {}
        self.failures = []

    def note(self, what, status):
        with self.lock:
            key = f"{what} {status}"
            self.counts[key] = self.counts.get(key, 0) + 1
            if isinstance(status, int) and status >= 500 and not (what == "run" and status == 503):
                self.failures.append(key)

    def request(self, what, method, path, body=None, headers=None, timeout=60):
        h = {"Content-Type": "application/json"} if body is not None else {}
        h.update(headers or {})
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            data = r.read()
            self.note(what, r.status)
            return r.status, data
        except (OSError, http.client.HTTPException) as e:
            self.note(what, type(e).__name__)
            return None, b""
        finally:
            c.close()

    def raw(self, what, data, read=True, timeout=10):
        try:
            s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
            try:
                s.sendall(data)
                if read:
                    answer = s.recv(65536)
                    m = re.match(rb"HTTP/1\.\d (\d{3})", answer)
                    self.note(what, int(m.group(1)) if m else "no answer")
            finally:
                s.close()
        except OSError as e:
            self.note(what, type(e).__name__)

    def running(self):
        return time.monotonic() < self.until

    # The workers.
    def ordinary(self, seed):
        while self.running():
            self.request("health", "GET", "/api/health")
            self.request("scenario", "GET", "/api/scenarios/default")
            self.request("run", "POST", "/api/run", json.dumps({"scenario": SHORT, "seed": seed}))
            status, data = self.request("submit", "POST", "/api/jobs", json.dumps({"scenario": SHORT, "paths": 8, "seed": seed}))
            if status == 202:
                job = json.loads(data)
                if seed % 2:
                    self.request("cancel", "DELETE", job["url"])
                else:
                    for _ in range(600):
                        status, data = self.request("poll", "GET", job["url"])
                        if status != 200 or json.loads(data)["status"] not in ("queued", "running"):
                            break
                        time.sleep(0.05)
            seed += 2

    def hostile(self):
        host = f"Host: 127.0.0.1:{self.port}\r\n".encode()
        big = b"x" * 0x10000
        while self.running():
            self.request("bad json", "POST", "/api/validate", "{\"scenario\": ")
            self.request("huge number", "POST", "/api/validate", '{"scenario": 1e99999}')
            self.request("bad utf8", "POST", "/api/validate", b'{"scenario": "\xff\xfe"}')
            self.request("bad host", "GET", "/api/health", headers={"Host": "evil.example"})
            self.request("csrf", "POST", "/api/jobs", '{"scenario":"default","paths":1}',
                         headers={"Content-Type": "text/plain", "Origin": "http://evil.example"})
            self.request("ranges", "GET", "/vendor/uplot/uPlot.esm.js",
                         headers={"Range": "bytes=0-" + ",0-" * 1999})
            self.raw("utf8 url", b"GET /api/%FF HTTP/1.1\r\n" + host + b"Connection: close\r\n\r\n")
            self.raw("declared too large", b"POST /api/run HTTP/1.1\r\n" + host +
                     b"Content-Type: application/json\r\nContent-Length: 50000000\r\n\r\n" + big)
            try:
                s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
                s.sendall(b"POST /api/run HTTP/1.1\r\n" + host +
                          b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
                chunk = b"10000\r\n" + big + b"\r\n"
                try:
                    for _ in range(800):  # 50 MB, if the server were to read it all
                        s.sendall(chunk)
                except OSError:
                    pass
                s.close()
                self.note("chunked too large", "sent")
            except OSError as e:
                self.note("chunked too large", type(e).__name__)

    def slow(self):
        while self.running():
            socks = []
            for _ in range(24):
                try:
                    s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
                    s.sendall(b"GET /api/health HTTP/1.1\r\n")
                    socks.append(s)
                except OSError:
                    pass
            for line in range(6):
                time.sleep(1)
                for s in socks:
                    try:
                        s.sendall(f"X-Slow-{line}: 1\r\n".encode())
                    except OSError:
                        pass
            for s in socks:
                s.close()
            self.note("slow connections", "cycle")

    def bursts(self):
        while self.running():
            threads = [threading.Thread(target=self.request, args=("burst", "GET", "/api/health"), kwargs={"timeout": 30})
                       for _ in range(50)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            time.sleep(2)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("bubblesim")
    p.add_argument("--seconds", type=float, default=120)
    p.add_argument("--max-growth-mb", type=float, default=24)
    p.add_argument("--csv", help="write the samples (seconds, RSS MB) to this file")
    p.add_argument("--serve-option", action="append", default=[],
                   help="a further option for `serve`, e.g. --serve-option=--http-threads=64 (repeatable)")
    args = p.parse_args()

    server = subprocess.Popen([args.bubblesim, "serve", "--port", "0", "--threads", "1", "--keep-jobs", "8"] + args.serve_option,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = server.stdout.readline()
    m = re.search(r"serving on http://[^:]+:(\d+)/", line)
    if not m:
        print(f"no 'serving on' line: {line!r}", file=sys.stderr)
        server.kill()
        return 1
    port = int(m.group(1))
    start = time.monotonic()
    load = Load(port, start + args.seconds)
    workers = [threading.Thread(target=load.ordinary, args=(s,), daemon=True) for s in (1, 2, 3)]
    workers += [threading.Thread(target=f, daemon=True) for f in (load.hostile, load.slow, load.bursts)]
    for w in workers:
        w.start()

    samples = []
    print(f"serve_memory: {args.bubblesim} on port {port} for {args.seconds:.0f} s")
    while load.running() and server.poll() is None:
        time.sleep(1)
        t = time.monotonic() - start
        samples.append((t, rss_mb(server.pid)))
        if len(samples) % max(1, int(args.seconds / 20)) == 0:
            print(f"  {t:6.1f} s  RSS {samples[-1][1]:7.1f} MB  threads {status_field(server.pid, 'Threads')}")
    for w in workers:
        w.join(timeout=60)
    time.sleep(2)  # idle: what the server keeps
    if os.environ.get("BSIM_MEMORY_MAPS"):  # the largest resident mappings, to see what holds memory
        with open(f"/proc/{server.pid}/smaps") as f:
            name, rows = "", []
            for line in f:
                if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                    name = line.strip()
                elif line.startswith("Rss:"):
                    rows.append((int(line.split()[1]), name))
        for kb, name in sorted(rows, reverse=True)[:12]:
            print(f"  {kb / 1024:7.1f} MB  {name}")
    alive = server.poll() is None
    idle = rss_mb(server.pid) if alive else 0.0
    idle_threads = status_field(server.pid, "Threads") if alive else 0
    server.terminate()
    server.wait(timeout=30)

    if args.csv:
        with open(args.csv, "w") as f:
            f.write("seconds,rss_mb\n")
            for t, r in samples:
                f.write(f"{t:.1f},{r:.1f}\n")
    half = len(samples) // 2
    first = max(r for _, r in samples[:half]) if half else 0.0
    second = max(r for _, r in samples[half:]) if samples[half:] else 0.0
    print(f"requests: {sum(v for k, v in load.counts.items() if not k.endswith('cycle'))}")
    for key in sorted(load.counts):
        print(f"  {key}: {load.counts[key]}")
    print(f"RSS MB: start {samples[0][1] if samples else 0:.1f}, peak of first half {first:.1f}, "
          f"peak of second half {second:.1f}, idle after {idle:.1f} ({idle_threads} threads)")
    ok = True
    if not alive:
        print("FAIL: the server died", file=sys.stderr)
        ok = False
    if load.failures:
        print(f"FAIL: {len(load.failures)} answers were 5xx, e.g. {load.failures[0]}", file=sys.stderr)
        ok = False
    if second > first + args.max_growth_mb:
        print(f"FAIL: memory grew by {second - first:.1f} MB from the first half to the second "
              f"(allowed {args.max_growth_mb} MB)", file=sys.stderr)
        ok = False
    print("flat" if ok else "not flat or failed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
