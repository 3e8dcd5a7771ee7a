"""Load test on loopback: the warlens service against a naive pipeline service, same run.

Run: .venv/bin/python bench/load.py [--model TAG] [--requests 400] [--soak 60]
Starts each server on a free 127.0.0.1 port, measures throughput and latency at concurrency
1, 8 and 32 with 1- and 16-sentence requests, stops it, then soaks the warlens service at
concurrency 64 while sampling its memory. Every loop is bounded in requests and in time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from common import ROOT, corpus_sentences, summarise

from inference.artifact import DEFAULT_MODEL, open_artifact

LEVELS = (1, 8, 32)
SIZES = (1, 16)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(target: str, env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bentoml", "serve", target, "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.5)
    stop(process)
    raise RuntimeError(f"{target} did not become ready")


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def tree_rss_mb(process: subprocess.Popen) -> float:
    """Resident memory of the server and all its descendants (the workers), from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        pid = int(entry.name)
        parents[pid] = int(fields.get("PPid", "0").strip())
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0])
    total = 0
    for pid in rss:
        ancestor = pid
        while ancestor and ancestor != process.pid:
            ancestor = parents.get(ancestor, 0)
        if ancestor == process.pid:
            total += rss[pid]
    return total / 1024


async def drive(url: str, path: str, sentences: list[str], size: int, concurrency: int,
                requests: int, seconds: float) -> dict:
    """Send up to ``requests`` requests from ``concurrency`` workers, stopping after ``seconds``."""
    latencies: list[float] = []
    errors = 0
    sent = 0
    deadline = time.monotonic() + seconds
    rng = random.Random(concurrency * 100 + size)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal sent, errors
        while sent < requests and time.monotonic() < deadline:
            sent += 1
            batch = [sentences[rng.randrange(len(sentences))] for _ in range(size)]
            start = time.perf_counter()
            try:
                response = await client.post(f"{url}{path}", json={"sentences": batch}, timeout=120)
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            latencies.append((time.perf_counter() - start) * 1000)
            errors += not ok

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    stats = summarise(latencies)
    return {"requests": len(latencies), "errors": errors,
            "sentences_per_s": round(len(latencies) * size / elapsed, 1),
            "requests_per_s": round(len(latencies) / elapsed, 1),
            **{f"{k}_ms": round(v, 1) for k, v in stats.items()}}


def sweep(url: str, path: str, sentences: list[str], requests: int, seconds: float) -> dict:
    asyncio.run(drive(url, path, sentences, 1, 4, 40, 30))  # warm-up
    results = {}
    for size in SIZES:
        for concurrency in LEVELS:
            results[f"c{concurrency} x{size}"] = asyncio.run(
                drive(url, path, sentences, size, concurrency, requests, seconds))
    return results


async def soak(url: str, sentences: list[str], process: subprocess.Popen, seconds: float) -> dict:
    memory = []

    async def sample() -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            memory.append(round(tree_rss_mb(process), 1))
            await asyncio.sleep(5)

    load, _ = await asyncio.gather(
        drive(url, "/classify", sentences, 4, 64, 10**9, seconds), sample())
    return {**load, "rss_mb_samples": memory}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--requests", type=int, default=400, help="cap per level")
    parser.add_argument("--seconds", type=float, default=30, help="time cap per level")
    parser.add_argument("--soak", type=float, default=60)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    artifact = open_artifact(args.model)
    sentences = corpus_sentences("test")
    report: dict = {"model": artifact.tag}
    process, url = start("serving.service:Warlens", {"WARLENS_MODEL": artifact.tag})
    try:
        report["warlens"] = sweep(url, "/classify", sentences, args.requests, args.seconds)
        report["soak c64 x4"] = asyncio.run(soak(url, sentences, process, args.soak))
    finally:
        stop(process)
    process, url = start("bench.naive_service:Naive", {"WARLENS_MODEL_DIR": str(artifact.directory)})
    try:
        report["naive"] = sweep(url, "/classify", sentences, args.requests, args.seconds)
    finally:
        stop(process)
    for size in SIZES:
        key = f"c32 x{size}"
        report[f"speed-up at {key}"] = round(
            report["warlens"][key]["sentences_per_s"] / report["naive"][key]["sentences_per_s"], 2)
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
