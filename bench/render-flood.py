#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# A flood of renders against a server's memory (issue 27): COUNT clients at
# once, each asking for a variant nobody asked for before (COUNT sizes) of
# one PICTURE, while the server's RSS and anonymous RSS are sampled every
# 10 ms; then its memory 10 s after the last answer. By hand
# (bench/compare-variants.sh runs it; tests/test-memory.c a short one):
#   render-flood.py BASE_URL PID PICTURE_NAME [COUNT]
# prints one line of key=value: answers by status, renders/s (answers 200
# over the time to the last of them), RSS and anonymous RSS at the start,
# their peaks, and 10 s after the end, in KiB.
import http.client
import json
import sys
import threading
import time
import urllib.parse

base, pid, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
count = int(sys.argv[4]) if len(sys.argv) > 4 else 200
url = urllib.parse.urlsplit(base)


def memory():
    """VmRSS and RssAnon of the server, in KiB."""
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "RssAnon"):
                values[key] = int(rest.split()[0])
    return values["VmRSS"], values["RssAnon"]


def get(path):
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=300)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    location = response.getheader("Location")
    connection.close()
    return response.status, body, location


# The canonical prefix of the picture's variants (one redirect, no render).
status, _, location = get(f"/img/{urllib.parse.quote(name, safe='')}/1x1.jpg")
prefix = urllib.parse.urlsplit(location).path.rsplit("/", 1)[0]

start_rss, start_anon = memory()
peak = [start_rss, start_anon]
sampling = True


def sample():
    while sampling:
        rss, anon = memory()
        peak[0] = max(peak[0], rss)
        peak[1] = max(peak[1], anon)
        time.sleep(0.01)


statuses = {}
finished = []
lock = threading.Lock()


def ask(k):
    side = 100 + k
    result, _, _ = get(f"{prefix}/{side}x{side}.jpg")
    with lock:
        statuses[result] = statuses.get(result, 0) + 1
        if result == 200:
            finished.append(time.monotonic())


sampler = threading.Thread(target=sample)
sampler.start()
began = time.monotonic()
clients = [threading.Thread(target=ask, args=(k,)) for k in range(count)]
for client in clients:
    client.start()
for client in clients:
    client.join()
ended = time.monotonic()
time.sleep(10)
sampling = False
sampler.join()
after_rss, after_anon = memory()
rendered = statuses.get(200, 0)
seconds = (max(finished) - began) if finished else ended - began
print(" ".join([
    f"answers={json.dumps(statuses, sort_keys=True).replace(' ', '')}",
    f"renders_per_second={rendered / seconds:.2f}",
    f"seconds={ended - began:.2f}",
    f"start_rss={start_rss}", f"start_anon={start_anon}",
    f"peak_rss={peak[0]}", f"peak_anon={peak[1]}",
    f"after_rss={after_rss}", f"after_anon={after_anon}",
]))
