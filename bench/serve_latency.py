#!/usr/bin/env python3
"""What a playground user waits for: the time from submitting a Monte Carlo job to its first
partial fan chart and to its final one, measured against a running `bubblesim serve`.

Usage: serve_latency.py URL [--paths N] [--repeat R] [--scenario NAME] [--set KEY=VALUE ...]
Example: build/release/bubblesim serve --port 8123 &  bench/serve_latency.py http://127.0.0.1:8123

Each repetition submits a job (POST /api/jobs), follows its event stream (GET .../events) and
records when the first `result` event and the `end` event arrive. Prints one line per
repetition and the medians. Uses only the Python standard library.
"""
import argparse
import json
import statistics
import time
import urllib.request


def follow(url, body):
    t0 = time.perf_counter()
    req = urllib.request.Request(url + "/api/jobs", data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        job = json.load(r)
    first_result = None
    results = 0
    end = None
    with urllib.request.urlopen(url + job["events"]) as stream:
        event = None
        for raw in stream:
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "result":
                results += 1
                if first_result is None:
                    first_result = (time.perf_counter() - t0, json.loads(line[6:])["paths"])
            elif line.startswith("data: ") and event == "end":
                end = (time.perf_counter() - t0, json.loads(line[6:]))
                break
    return first_result, results, end


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("url")
    p.add_argument("--paths", type=int, default=1000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--scenario", default="default")
    p.add_argument("--set", action="append", default=[])
    a = p.parse_args()
    sets = {}
    for kv in a.set:
        k, v = kv.split("=", 1)
        try:
            sets[k] = float(v)
        except ValueError:
            sets[k] = v
    firsts, ends = [], []
    for i in range(a.repeat):
        body = {"scenario": a.scenario, "paths": a.paths, "seed": i + 1, "set": sets}
        (t_first, n_first), results, (t_end, job) = follow(a.url.rstrip("/"), body)
        firsts.append(t_first)
        ends.append(t_end)
        print(f"run {i + 1}: first fan after {t_first:.3f} s ({n_first} paths), final {job['progress']['done']}-path fan "
              f"after {t_end:.3f} s ({results} partial results, status {job['status']})")
    print(f"median: first fan {statistics.median(firsts):.3f} s, final fan {statistics.median(ends):.3f} s "
          f"({a.paths} paths, {a.repeat} runs)")


if __name__ == "__main__":
    main()
