#!/usr/bin/env python3
"""Stand-in for a Slack incoming webhook, for tests only.

Usage: webhook_receiver.py PORT OUT_DIR [FAIL_FIRST]
Records every POST body as OUT_DIR/NNN.json (and its request line as NNN.meta) and answers
"ok" like Slack does; the first FAIL_FIRST requests get HTTP 500 instead, to test retries.
"""
import http.server
import os
import sys
import threading

port, out_dir = int(sys.argv[1]), sys.argv[2]
fail_first = int(sys.argv[3]) if len(sys.argv) > 3 else 0
os.makedirs(out_dir, exist_ok=True)
lock = threading.Lock()
count = {"n": 0}


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        with lock:
            count["n"] += 1
            n = count["n"]
        if n <= fail_first:
            self.send_response(500)
            self.end_headers()
            self.wfile.write(b"stand-in: failing on purpose")
            return
        base = os.path.join(out_dir, "%03d" % n)
        with open(base + ".meta", "w") as f:
            f.write("%s %s\n%s\n" % (self.command, self.path, self.headers.get("Content-Type", "")))
        with open(base + ".json", "wb") as f:
            f.write(body)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, fmt, *args):
        sys.stderr.write("stand-in webhook: " + fmt % args + "\n")


http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
