#!/usr/bin/env python3
"""Followup's benchmark workloads against Kinto, for a side-by-side figure.

Mirrors followup-bench (Sources/followup-bench): push N rows of ~300 bytes in batches of 500,
a fresh reader pulls everything, 10% of the rows change one field and the reader pulls the
changes; with --concurrency, 4 and 32 ministries each push 100 rows and pull, in rounds.
Start the server with scripts/kinto-peer. Stdlib only; one keep-alive connection per thread.
Prints a JSON array of results; fails loudly (message on stderr, non-zero exit).

Usage: python3 scripts/bench-kinto.py --url URL --server-pid PID --size N [--concurrency]
"""
import argparse
import base64
import http.client
import json
import math
import os
import sys
import threading
import time
import urllib.parse

BATCH = 500  # our client's push batch; kinto-peer sets kinto.batch_max_requests = 500
PAGE = 1000  # page size of a pull (_limit); Kinto answers with a Next-Page header
BUCKET = "bench"


class BenchFailure(Exception):
    pass


def uuid7():
    """A time-ordered UUID (version 7): 48-bit Unix ms timestamp, then random bits."""
    value = (time.time_ns() // 1_000_000) << 80 | int.from_bytes(os.urandom(10), "big")
    value = value & ~(0xF << 76) | 0x7 << 76  # version 7
    value = value & ~(0x3 << 62) | 0x2 << 62  # RFC 4122 variant
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class Client:
    """One user on one persistent HTTP connection; counts the bytes it receives."""

    def __init__(self, url, user):
        parts = urllib.parse.urlsplit(url)
        self.prefix = parts.path.rstrip("/")  # /v1
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=300)
        token = base64.b64encode(f"{user}:{user}-password".encode()).decode()
        self.headers = {"Authorization": f"Basic {token}", "Content-Type": "application/json"}

    def request(self, method, path, body=None, ok=(200, 201)):
        """Returns (status, headers (case-insensitive), decoded body, body bytes, header bytes)."""
        if not path.startswith(self.prefix + "/"):
            path = self.prefix + path
        data = body if body is None or isinstance(body, bytes) else json.dumps(body).encode()
        self.conn.request(method, path, body=data, headers=self.headers)
        response = self.conn.getresponse()
        raw = response.read()
        headers = response.getheaders()
        header_bytes = len(f"HTTP/1.1 {response.status} {response.reason}\r\n") + 2
        header_bytes += sum(len(f"{k}: {v}\r\n") for k, v in headers)
        if response.status not in ok:
            raise BenchFailure(f"{method} {path}: {response.status} {raw[:500]!r}")
        return response.status, response.headers, (json.loads(raw) if raw else None), len(raw), header_bytes

    def batch(self, body):
        """POST /batch (pre-encoded); every sub-response must be 2xx."""
        _, _, answer, _, _ = self.request("POST", "/batch", body)
        for sub in answer["responses"]:
            if not 200 <= sub["status"] < 300:
                raise BenchFailure(f"batch: {sub['status']} on {sub['path']}: {sub['body']}")
        return len(answer["responses"])

    def pull(self, collection, since=None):
        """Lists a collection's records (changes since an ETag), following Next-Page.
        Returns (records, etag, body bytes, header bytes)."""
        query = {"_limit": PAGE}
        if since is not None:
            query["_since"] = since
        path = f"/buckets/{BUCKET}/collections/{collection}/records?" + urllib.parse.urlencode(query)
        records, etag, body_bytes, header_bytes = [], None, 0, 0
        while path:
            _, headers, answer, body_n, header_n = self.request("GET", path)
            records += answer["data"]
            etag = etag or headers.get("ETag", "").strip('"')
            body_bytes += body_n
            header_bytes += header_n
            next_page = headers.get("Next-Page")
            path = None
            if next_page:
                parts = urllib.parse.urlsplit(next_page)
                path = parts.path + "?" + parts.query
        return records, etag, body_bytes, header_bytes

    def bucket(self):
        """(Re)creates the bucket: every authenticated user may read it and add collections."""
        self.request("PUT", f"/buckets/{BUCKET}", {"permissions": {
            "read": ["system.Authenticated"], "collection:create": ["system.Authenticated"]}})

    def fresh_collection(self, collection):
        """(Re)creates an empty collection of this user's in the bucket."""
        self.request("DELETE", f"/buckets/{BUCKET}/collections/{collection}", ok=(200, 404))
        self.request("PUT", f"/buckets/{BUCKET}/collections/{collection}", {})


def batches(collection, method, items):
    """Pre-encoded /batch bodies of BATCH sub-requests each; items are (id, data)."""
    base = f"/buckets/{BUCKET}/collections/{collection}/records/"
    bodies = []
    for start in range(0, len(items), BATCH):
        requests = [{"path": base + rid, "body": {"data": data}} for rid, data in items[start:start + BATCH]]
        bodies.append(json.dumps({"defaults": {"method": method}, "requests": requests}).encode())
    return bodies


def peak_rss_mib(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def result(workload, operations, seconds, server_pid, note=None, wire=None):
    print(f"bench-kinto: {workload}: {operations} in {seconds:.3f} s", file=sys.stderr)
    return {
        "system": "kinto", "workload": workload, "operations": operations, "seconds": round(seconds, 4),
        "ops_per_second": round(operations / seconds, 1), "client_peak_rss_mib": None,
        "server_peak_rss_mib": peak_rss_mib(server_pid), "note": note, "bytes_on_wire": wire,
    }


def measure(url, pid, size):
    collection = f"recommendation-{size}"
    writer, reader = Client(url, "writer"), Client(url, "reader")
    writer.bucket()
    writer.fresh_collection(collection)
    rows = [(uuid7(), {
        "text": f"Recommendation {i}: take effective measures to guarantee the independence of the judiciary, "
                "ensure fair trial guarantees and access to legal aid, and investigate allegations of "
                "torture in detention promptly.",
        "document_symbol": "A/HRC/40/6", "paragraph": f"28.{i}", "session": 33, "position": "supported",
    }) for i in range(size)]
    bodies = batches(collection, "PUT", rows)
    rss_note = "server RSS is the Kinto process's VmHWM since it started (one process, threaded)"
    results = []

    # 1. Push: N new records, client-generated ids, PUT in batches of 500.
    start = time.perf_counter()
    pushed = sum(writer.batch(body) for body in bodies)
    seconds = time.perf_counter() - start
    if pushed != size:
        raise BenchFailure(f"push: {pushed} of {size} sub-responses")
    results.append(result("push", size, seconds, pid, f"PUT in /batch of {BATCH}; {rss_note}"))

    # 2. Initial pull: the reader lists everything, from nothing.
    start = time.perf_counter()
    records, etag, body_bytes, header_bytes = reader.pull(collection)
    seconds = time.perf_counter() - start
    if len(records) != size:
        raise BenchFailure(f"initial pull: {len(records)} of {size} records")
    newest = max(r["last_modified"] for r in records)
    if str(newest) != etag:
        raise BenchFailure(f"initial pull: ETag {etag} but newest last_modified {newest}")
    results.append(result("initial_pull", size, seconds, pid,
                          f"pages of {PAGE}; {body_bytes} body bytes; no client RSS (Python client)",
                          body_bytes + header_bytes))

    # 3. Delta pull: 10% of the rows get paragraph + "bis" (not timed), the reader pulls the changes.
    changed = rows[:size // 10]
    for body in batches(collection, "PATCH", [(rid, {"paragraph": d["paragraph"] + "bis"}) for rid, d in changed]):
        writer.batch(body)
    start = time.perf_counter()
    records, _, body_bytes, header_bytes = reader.pull(collection, since=etag)
    seconds = time.perf_counter() - start
    expected = {rid: d["paragraph"] + "bis" for rid, d in changed}
    if len(records) != len(changed) or any(expected.get(r["id"]) != r["paragraph"] for r in records):
        raise BenchFailure(f"delta pull: {len(records)} records back, {len(changed)} changed")
    results.append(result("delta_pull", len(changed), seconds, pid,
                          f"_since ETag, pages of {PAGE}; bytes_on_wire = bodies + headers",
                          body_bytes + header_bytes))
    return results


def concurrency(url, pid, ministries, rounds):
    """Each ministry, its own user and collection, pushes 100 records and pulls, `rounds` times."""
    clients, plans, latencies, failures = [], [], [], []
    Client(url, "writer").bucket()
    for k in range(ministries):  # not timed: collections, starting ETags, request bodies
        client, collection = Client(url, f"ministry-{k}"), f"ministry-{k}-of-{ministries}"
        client.fresh_collection(collection)
        base = f"/buckets/{BUCKET}/collections/{collection}/records/"
        bodies = [json.dumps({"defaults": {"method": "PUT"}, "requests": [
            {"path": base + uuid7(), "body": {"data": {
                "title": f"Ministry {k}, round {r}, action {i}", "recommendation_id": f"rec-{k}"}}}
            for i in range(100)]}).encode() for r in range(rounds)]
        clients.append((client, collection))
        plans.append((client.pull(collection)[1], bodies))
    lock = threading.Lock()

    def work(k):
        (client, collection), (since, bodies) = clients[k], plans[k]
        measured = []
        try:
            for body in bodies:
                start = time.perf_counter()
                if client.batch(body) != 100:
                    raise BenchFailure("a push was not accepted whole")
                measured.append(time.perf_counter() - start)
                records, etag, _, _ = client.pull(collection, since=since)
                if len(records) != 100:
                    raise BenchFailure(f"ministry {k} pulled {len(records)} changes, expected 100")
                since = etag
        except Exception as error:  # noqa: BLE001 - reported by the main thread
            failures.append(error)
        with lock:
            latencies.extend(measured)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(ministries)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    if failures:
        raise BenchFailure(f"concurrent_{ministries}: {failures[0]}")
    latencies.sort()

    def percentile(fraction):
        return latencies[min(len(latencies) - 1, math.ceil(len(latencies) * fraction) - 1)] * 1000

    pushed = ministries * rounds * 100
    return result(f"concurrent_{ministries}", pushed, seconds, pid,
                  f"{ministries} ministries x {rounds} rounds of push 100 + pull, own collection each; "
                  f"push latency p50 {percentile(0.5):.0f} ms, p99 {percentile(0.99):.0f} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="Kinto's root, e.g. http://127.0.0.1:8888/v1")
    parser.add_argument("--server-pid", type=int, required=True, help="the Kinto process, for VmHWM")
    parser.add_argument("--size", type=int, required=True, help="rows to push (N); 0 for --concurrency alone")
    parser.add_argument("--concurrency", action="store_true", help="also run concurrent_4 and concurrent_32")
    args = parser.parse_args()
    try:
        results = measure(args.url, args.server_pid, args.size) if args.size > 0 else []
        if args.concurrency:
            results.append(concurrency(args.url, args.server_pid, 4, 20))
            results.append(concurrency(args.url, args.server_pid, 32, 5))
    except (BenchFailure, OSError, http.client.HTTPException, ValueError, KeyError) as error:
        print(f"bench-kinto: {error}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
