#!/usr/bin/env python3
"""The resident memory and the answers of `bubblesim serve` under a long mixed load of use and attacks.

Usage: serve_memory.py BUBBLESIM [--seconds S | --minutes M] [--max-growth-mb MB] [--max-ratio R]
                       [--csv FILE] [--serve-option=OPTION ...]
Examples:
  bench/serve_memory.py build/release/bubblesim --seconds 300
  nice -n 19 bench/serve_memory.py build/release/bubblesim --minutes 30 --max-ratio 2   # the soak

Starts `BUBBLESIM serve --port 0` and, for the whole run, sends at once from several threads:
- ordinary use: health, the scenario list and one scenario, the schema, the page's files, the
  job list, a valid and an invalid validate, single runs, small Monte Carlo jobs followed to
  their end by polling or by their event stream, or cancelled;
- requests that must be refused (docs/serve.md, "Hostile and careless clients"): bad JSON, bytes
  that are not UTF-8 in the body and the URL, 1e99999, a body nested 400,000 levels deep, an
  unknown field, a scenario over --max-run-cost, a forged Host, a cross-site text/plain POST, a
  gzip body, 2,000 byte ranges, a declared and a chunked body past --max-body, broken chunk
  framing, a bad request line, an unknown method, a header line over 8 KB, no Host, 404 and 405;
- 24 connections trickling a header line every 2 s until --request-timeout cuts them off;
- bursts of 50 connections every 2 s.
Every answer is checked against the status it must have. The server's resident size (VmRSS) is
sampled every second and a line is printed every few seconds.

It fails (exit 1) if the server dies, if any answer is a 5xx, if any answer is not the one
expected (an ordinary request refused or unanswered, an attack answered otherwise than
documented; job submissions may be refused by --max-jobs, but not half of them), or if memory
does not stay flat: the peak resident size of the second half of the run must not exceed that
of the first half by more than --max-growth-mb (default 24), and with --max-ratio R, neither
the resident size at the end nor its peak after the first minute may exceed R times its size
at one minute. Uses only the Python standard library.
"""
import argparse
import http.client
import json
import os
import re
import select
import socket
import subprocess
import sys
import threading
import time

SHORT = {"extends": "default", "name": "short", "time": {"end": "2029-01"}}
UPLOT = "/vendor/uplot/uPlot.esm.js"
PAGE_FILES = ["/", "/app.js", "/style.css", UPLOT]


def status_field(pid, name):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(name + ":"):
                return int(line.split()[1])
    return 0


def rss_mb(pid):
    return status_field(pid, "VmRSS") / 1024


def status_of(answer):
    m = re.match(rb"HTTP/1\.\d (\d{3})", answer)
    return int(m.group(1)) if m else "no answer"


class Load:
    def __init__(self, port, until):
        self.port = port
        self.until = until
        self.host = f"Host: 127.0.0.1:{port}\r\n".encode()
        self.lock = threading.Lock()
        self.counts = {}
        self.server_errors = []  # every 5xx
        self.unexpected = []  # the first answers that were not the expected ones
        self.unexpected_count = 0

    def note(self, what, status, expected):
        with self.lock:
            key = f"{what} {status}"
            self.counts[key] = self.counts.get(key, 0) + 1
            if isinstance(status, int) and status >= 500:
                self.server_errors.append(key)
            elif status not in expected:
                self.unexpected_count += 1
                if len(self.unexpected) < 20:
                    self.unexpected.append(key)

    def request(self, what, method, path, body=None, headers=None, expect=(200,), timeout=60):
        h = {"Content-Type": "application/json"} if body is not None else {}
        h.update(headers or {})
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            data = r.read()
            self.note(what, r.status, expect)
            return r.status, data
        except (OSError, http.client.HTTPException) as e:
            self.note(what, type(e).__name__, expect)
            return None, b""
        finally:
            c.close()

    def raw(self, what, data, expect, timeout=10):
        """Sends `data` on a new connection and notes the status of the first answer."""
        try:
            s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
            try:
                s.sendall(data)
                self.note(what, status_of(s.recv(65536)), expect)
            finally:
                s.close()
        except OSError as e:
            self.note(what, type(e).__name__, expect)

    def running(self):
        return time.monotonic() < self.until

    # Ordinary use: three of these run at once.
    def ordinary(self, seed):
        while self.running():
            self.request("health", "GET", "/api/health")
            self.request("scenarios", "GET", "/api/scenarios")
            self.request("scenario", "GET", "/api/scenarios/default")
            self.request("schema", "GET", "/api/schema")
            for path in PAGE_FILES:
                self.request("page", "GET", path)
            self.request("job list", "GET", "/api/jobs")
            self.request("validate", "POST", "/api/validate", json.dumps({"scenario": SHORT}))
            self.request("validate invalid", "POST", "/api/validate",
                         json.dumps({"scenario": "default", "set": {"no.such.key": 1}}), expect=(422,))
            self.request("run", "POST", "/api/run", json.dumps({"scenario": SHORT, "seed": seed}))
            status, data = self.request("submit", "POST", "/api/jobs",
                                        json.dumps({"scenario": SHORT, "paths": 8, "seed": seed}), expect=(202, 429))
            if status == 202:
                job = json.loads(data)
                follow = seed % 3
                if follow == 0:
                    self.request("cancel", "DELETE", job["url"], expect=(200, 409))  # 409: it had finished
                elif follow == 1:
                    status, data = self.request("events", "GET", job["events"], timeout=120)
                    if status == 200 and b"event: end" not in data:
                        self.note("events without end", "-", ())
                else:
                    for _ in range(600):
                        status, data = self.request("poll", "GET", job["url"])
                        if status != 200 or json.loads(data)["status"] not in ("queued", "running"):
                            break
                        time.sleep(0.05)
            seed += 1

    # Requests that must be refused, each with the status docs/serve.md gives it.
    def hostile(self):
        host = self.host
        big = b"x" * 0x10000
        deep = "[" * 400_000 + "]" * 400_000
        firms = [{"id": f"x{i}", "name": f"X{i}", "type": "lab", "inference_share": 0} for i in range(3000)]
        costly = json.dumps({"scenario": {"extends": "default", "name": "big", "firm": firms}})
        _, whole = self.request("page", "GET", UPLOT)
        while self.running():
            self.request("bad json", "POST", "/api/validate", "{\"scenario\": ", expect=(400,))
            for path in ("/api/validate", "/api/run", "/api/jobs"):
                self.request("huge number", "POST", path, '{"scenario": 1e99999, "paths": 1}', expect=(400,))
            self.request("bad utf8 body", "POST", "/api/validate", b'{"scenario": "\xff\xfe"}', expect=(400,))
            self.request("deep json", "POST", "/api/validate", '{"scenario":"default","set":{"a":' + deep + "}}",
                         expect=(400,))
            self.request("unknown field", "POST", "/api/run", '{"scenario":"default","sed":1}', expect=(400,))
            self.request("too costly", "POST", "/api/run", costly, expect=(422,))
            self.request("bad host", "GET", "/api/health", headers={"Host": "evil.example"}, expect=(403,))
            self.request("csrf", "POST", "/api/jobs", '{"scenario":"default","paths":1}',
                         headers={"Content-Type": "text/plain", "Origin": "http://evil.example"}, expect=(403,))
            self.request("text/plain", "POST", "/api/run", '{"scenario":"default"}',
                         headers={"Content-Type": "text/plain"}, expect=(415,))
            self.request("gzip", "POST", "/api/validate", b"\x1f\x8b\x08\x00", headers={"Content-Encoding": "gzip"},
                         expect=(415,))
            status, data = self.request("ranges", "GET", UPLOT, headers={"Range": "bytes=0-" + ",0-" * 1999})
            if status == 200 and len(data) != len(whole):
                self.note("ranges answer of another size", len(data), ())
            self.request("no endpoint", "GET", "/api/nope", expect=(404,))
            self.request("no job", "GET", "/api/jobs/999999999", expect=(404,))
            self.request("wrong method", "PUT", "/api/health", "{}", expect=(405,))
            self.raw("utf8 url", b"GET /api/%FF HTTP/1.1\r\n" + host + b"Connection: close\r\n\r\n", (400,))
            self.raw("raw utf8 url", b"GET /api/\xff\xfe HTTP/1.1\r\n" + host + b"Connection: close\r\n\r\n", (400,))
            self.raw("bad request line", b"GARBAGE\r\n\r\n", (400,))
            self.raw("unknown method", b"BREW /api/health HTTP/1.1\r\n" + host + b"\r\n", (400,))
            self.raw("no host", b"GET /api/health HTTP/1.1\r\nConnection: close\r\n\r\n", (400,))
            self.raw("long header", b"GET /api/health HTTP/1.1\r\n" + host + b"X-Long: " + b"a" * 9000 + b"\r\n\r\n",
                     (400,))
            self.raw("broken chunks", b"POST /api/validate HTTP/1.1\r\n" + host +
                     b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", (400,))
            self.raw("declared too large", b"POST /api/run HTTP/1.1\r\n" + host +
                     b"Content-Type: application/json\r\nContent-Length: 50000000\r\n\r\n" + big, (413,))
            self.chunked_too_large(big)

    def chunked_too_large(self, big):
        """50 MB in 64 KB chunks: the server must answer 413 and stop reading long before."""
        try:
            s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        except OSError as e:
            self.note("chunked too large", type(e).__name__, ())
            return
        try:
            s.sendall(b"POST /api/run HTTP/1.1\r\n" + self.host +
                      b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
            chunk = b"10000\r\n" + big + b"\r\n"
            sent = 0
            try:
                while sent < 800:
                    s.sendall(chunk)
                    sent += 1
            except OSError:
                pass
            if sent == 800:
                self.note("chunked too large", "read 50 MB", ())
                return
            try:
                status = status_of(s.recv(65536))
            except OSError:
                status = "reset"  # closed while our bytes were still arriving: the answer may be lost
            self.note("chunked too large", status, (413, "reset", "no answer"))
        finally:
            s.close()

    # Connections that trickle their headers, a line every 2 s, until --request-timeout (10 s)
    # cuts them off with 408.
    def slow(self):
        while self.running():
            socks = []
            for _ in range(24):
                try:
                    s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
                    s.sendall(b"GET /api/health HTTP/1.1\r\n" + self.host)
                    socks.append(s)
                except OSError as e:
                    self.note("slow connection", type(e).__name__, ())
            started = time.monotonic()
            line = 0
            while socks and time.monotonic() - started < 16:
                time.sleep(2)
                readable, _, _ = select.select(socks, [], [], 0)
                for s in readable:
                    try:
                        status = status_of(s.recv(65536))
                    except OSError:
                        status = "reset"
                    self.note("slow connection", status, (408,))
                    socks.remove(s)
                    s.close()
                for s in socks:
                    try:
                        s.sendall(f"X-Slow-{line}: 1\r\n".encode())
                    except OSError:
                        pass  # cut off: its answer is read next round
                line += 1
            for s in socks:
                self.note("slow connection", "not cut off", ())
                s.close()

    def bursts(self):
        while self.running():
            threads = [threading.Thread(target=self.request, args=("burst", "GET", "/api/health"), kwargs={"timeout": 30})
                       for _ in range(50)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            time.sleep(2)


def rss_at(samples, t):
    """The sample nearest to `t` seconds."""
    return min(samples, key=lambda s: abs(s[0] - t))[1]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("bubblesim")
    p.add_argument("--seconds", type=float, default=120)
    p.add_argument("--minutes", type=float, help="run this many minutes (instead of --seconds)")
    p.add_argument("--max-growth-mb", type=float, default=24)
    p.add_argument("--max-ratio", type=float,
                   help="fail if the RSS at the end, or its peak after the first minute, exceeds this many times its "
                        "RSS at one minute (runs longer than two minutes)")
    p.add_argument("--csv", help="write the samples (seconds, RSS MB) to this file")
    p.add_argument("--serve-option", action="append", default=[],
                   help="a further option for `serve`, e.g. --serve-option=--http-threads=64 (repeatable)")
    args = p.parse_args()
    seconds = args.minutes * 60 if args.minutes is not None else args.seconds

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
    load = Load(port, start + seconds)
    workers = [threading.Thread(target=load.ordinary, args=(s,), daemon=True) for s in (1, 2, 3)]
    workers += [threading.Thread(target=f, daemon=True) for f in (load.hostile, load.slow, load.bursts)]
    for w in workers:
        w.start()

    samples = []
    print(f"serve_memory: {args.bubblesim} on port {port} for {seconds:.0f} s", flush=True)
    while load.running() and server.poll() is None:
        time.sleep(1)
        t = time.monotonic() - start
        samples.append((t, rss_mb(server.pid)))
        if len(samples) % max(1, int(seconds / 20)) == 0:
            with load.lock:
                answered = sum(load.counts.values())
            print(f"  {t:7.1f} s  RSS {samples[-1][1]:7.1f} MB  threads {status_field(server.pid, 'Threads'):4d}  "
                  f"answers {answered}", flush=True)
    end_rss = samples[-1][1] if samples else 0.0
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
    code = server.wait(timeout=30)

    if args.csv:
        with open(args.csv, "w") as f:
            f.write("seconds,rss_mb\n")
            for t, r in samples:
                f.write(f"{t:.1f},{r:.1f}\n")
    half = len(samples) // 2
    first = max(r for _, r in samples[:half]) if half else 0.0
    second = max(r for _, r in samples[half:]) if samples[half:] else 0.0
    answers = sum(load.counts.values())
    print(f"answers: {answers} in {seconds:.0f} s")
    for key in sorted(load.counts):
        print(f"  {key}: {load.counts[key]}")
    submits = sum(v for k, v in load.counts.items() if k.startswith("submit "))
    refused = load.counts.get("submit 429", 0)
    print(f"5xx answers: {len(load.server_errors)}; unexpected answers: {load.unexpected_count}; "
          f"job submissions refused by --max-jobs: {refused} of {submits}")
    print(f"RSS MB: start {samples[0][1] if samples else 0:.1f}, peak of first half {first:.1f}, "
          f"peak of second half {second:.1f}, at the end {end_rss:.1f}, idle after {idle:.1f} ({idle_threads} threads)")
    ok = True
    if not alive:
        print(f"FAIL: the server died (exit status {code})", file=sys.stderr)
        ok = False
    if load.server_errors:
        print(f"FAIL: {len(load.server_errors)} answers were 5xx, e.g. {load.server_errors[0]}", file=sys.stderr)
        ok = False
    if load.unexpected_count:
        print(f"FAIL: {load.unexpected_count} answers were not the expected ones: {', '.join(load.unexpected)}",
              file=sys.stderr)
        ok = False
    if submits and refused * 2 >= submits:
        print(f"FAIL: {refused} of {submits} job submissions were refused", file=sys.stderr)
        ok = False
    if second > first + args.max_growth_mb:
        print(f"FAIL: memory grew by {second - first:.1f} MB from the first half to the second "
              f"(allowed {args.max_growth_mb} MB)", file=sys.stderr)
        ok = False
    if args.max_ratio is not None and samples and samples[-1][0] > 120:
        at_minute = rss_at(samples, 60)
        peak_after = max(r for t, r in samples if t >= 60)
        print(f"RSS MB at one minute {at_minute:.1f}, peak after it {peak_after:.1f} "
              f"({peak_after / at_minute:.2f}×), at the end {end_rss:.1f} ({end_rss / at_minute:.2f}×)")
        if max(peak_after, end_rss) > args.max_ratio * at_minute:
            print(f"FAIL: the RSS rose past {args.max_ratio}× its size at one minute", file=sys.stderr)
            ok = False
    print("flat" if ok else "not flat or failed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
