#!/usr/bin/env python3
"""The receiver under abuse, on loopback; prints one JSON object for bench/report.mjs.

  bench/abuse.py SEALDROP_BINARY OUT_DIR SECONDS

1. /healthz latency (wrk, p50/p99) alone, then while 6 clients post 48 MB stanza bombs in a loop;
2. peak RSS (VmHWM) of the server while 24 clients upload 40 MB reports at once, each from its
   own loopback address;
3. stored reports/s (wrk, 8 KB reports, 8 connections) alone, then while 1,000 slowloris
   connections from 20 addresses hold their headers open.
Every run's traffic stays on 127.0.0.0/8 and stops by itself.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

BIN, OUT, SECONDS = sys.argv[1], sys.argv[2], int(sys.argv[3])
HERE = os.path.dirname(os.path.abspath(__file__))


def start(data, recipient, port, *extra):
    # The receiver's routes are what is measured: a stand-in widget folder is enough.
    widget = os.path.join(os.path.dirname(data), "widget")
    os.makedirs(widget, exist_ok=True)
    with open(os.path.join(widget, "index.html"), "w") as f:
        f.write("<!doctype html><title>form</title>")
    p = subprocess.Popen(
        [BIN, "serve", "--recipient", recipient, "--data-dir", data, "--listen", f"127.0.0.1:{port}",
         "--widget-dir", widget, "--rate-limit", "0", *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            return p
        except OSError:
            time.sleep(0.05)
    raise SystemExit("the server did not start")


def post(port, key, body, source="127.0.0.1"):
    s = socket.create_connection(("127.0.0.1", port), timeout=60, source_address=(source, 0))
    try:
        s.sendall((f"POST /v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
                   f"Idempotency-Key: {key}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode())
        try:
            s.sendall(body)
        except OSError:
            pass  # answered and closed before the whole body: read the answer
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        return int(data.split(b" ")[1]) if data else 0
    finally:
        s.close()


def wrk(url, seconds, connections, script=None, args=()):
    cmd = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency"]
    if script:
        cmd += ["-s", script]
    cmd += [url]
    if args:
        cmd += ["--", *args]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    m = re.search(r"^RESULT (.*)$", out, re.M)
    if m:
        return json.loads(m.group(1))
    def pct(p):
        v = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)", out, re.M)
        n, unit = float(v.group(1)), v.group(2)
        return n / 1000 if unit == "us" else n * 1000 if unit == "s" else n
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return {"p50_ms": pct(50), "p99_ms": pct(99), "rps": rps}


def header_of(sealed):
    i = sealed.index(b"\n---")
    return sealed[: sealed.index(b"\n", i + 1) + 1]


def main():
    tmp = tempfile.mkdtemp()
    try:
        key = os.path.join(tmp, "key.txt")
        recipient = subprocess.run([BIN, "keygen", "-o", key], capture_output=True, text=True, check=True).stdout.strip()
        small = subprocess.run(["age", "-r", recipient], input=os.urandom(8000), capture_output=True, check=True).stdout
        small_path = os.path.join(tmp, "8k.age")
        with open(small_path, "wb") as f:
            f.write(small)
        stanza = small[small.index(b"-> X25519"):]
        stanza = stanza[: stanza.index(b"\n", stanza.index(b"\n") + 1) + 1]
        bomb = b"age-encryption.org/v1\n" + stanza * 500_000
        result = {"bomb_bytes": len(bomb)}

        # 1. /healthz during a stanza-bomb flood.
        port = 18090
        srv = start(os.path.join(tmp, "s1"), recipient, port)
        result["healthz_alone"] = wrk(f"http://127.0.0.1:{port}/healthz", SECONDS, 4)
        stop = time.time() + SECONDS + 1
        refused = []

        def flood(i):
            n = 0
            while time.time() < stop:
                refused.append(post(port, f"bomb-{i}-{n}-aaaaaaaa", bomb, f"127.0.7.{i + 1}"))
                n += 1
        threads = [threading.Thread(target=flood, args=(i,)) for i in range(6)]
        for t in threads:
            t.start()
        result["healthz_flood"] = wrk(f"http://127.0.0.1:{port}/healthz", SECONDS, 4)
        for t in threads:
            t.join()
        result["bombs_refused"] = sum(1 for s in refused if s == 400)
        result["bombs_sent"] = len(refused)
        srv.kill()
        srv.wait()

        # 2. Peak RSS with 24 concurrent 40 MB uploads.
        port = 18091
        srv = start(os.path.join(tmp, "s2"), recipient, port)
        big = header_of(small) + bytes(40_000_000)
        idle = int(re.search(r"VmRSS:\s+(\d+)", open(f"/proc/{srv.pid}/status").read()).group(1))
        statuses = []
        t0 = time.time()
        threads = [threading.Thread(target=lambda i=i: statuses.append(post(port, f"big-{i}-aaaaaaaa", big, f"127.0.8.{i + 1}")))
                   for i in range(24)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.time() - t0
        peak = int(re.search(r"VmHWM:\s+(\d+)", open(f"/proc/{srv.pid}/status").read()).group(1))
        result["uploads"] = {"count": 24, "bytes": len(big), "created": statuses.count(201), "seconds": round(elapsed, 1),
                             "idle_rss_kib": idle, "peak_rss_kib": peak}
        srv.kill()
        srv.wait()

        # 3. Stored reports/s alone and during slowloris.
        port = 18092
        srv = start(os.path.join(tmp, "s3"), recipient, port, "--max-uploads-per-client", "64")
        post_lua = os.path.join(HERE, "post.lua")
        result["store_alone"] = wrk(f"http://127.0.0.1:{port}", SECONDS, 8, post_lua, (small_path, "alone"))
        held = []
        for a in range(20):
            for _ in range(50):
                try:
                    s = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(f"127.0.9.{a + 1}", 0))
                    s.sendall(b"POST /v1/reports HTTP/1.1\r\nHost: x\r\n")
                    held.append(s)
                except OSError:
                    pass
        stop = time.time() + SECONDS + 1

        def drip():
            # Keep re-opening what the server closes, a byte of header every second.
            while time.time() < stop:
                for i, s in enumerate(held):
                    try:
                        s.sendall(b"X")
                    except OSError:
                        try:
                            n = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(f"127.0.9.{i % 20 + 1}", 0))
                            n.sendall(b"POST /v1/reports HTTP/1.1\r\nHost: x\r\n")
                            held[i] = n
                        except OSError:
                            pass
                time.sleep(1)
        d = threading.Thread(target=drip)
        d.start()
        result["store_slowloris"] = wrk(f"http://127.0.0.1:{port}", SECONDS, 8, post_lua, (small_path, "loris"))
        result["slowloris_connections"] = len(held)
        d.join()
        for s in held:
            s.close()
        srv.kill()
        srv.wait()
        print(json.dumps(result))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


main()
