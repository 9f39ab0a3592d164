"""A programme's webhook receiver, for the end-to-end tests.

It checks every delivery's signature with the `standardwebhooks` package
(the Standard Webhooks reference implementation), once per secret it holds,
and records what came. The tests steer it over HTTP:

  GET  /_received   every delivery so far, as JSON
  POST /_control    {"fail": N, "hang": bool, "secrets": [...]}: answer the
                    next N deliveries 500, hold deliveries unanswered, or
                    verify with other secrets

Usage: python3 receiver.py PORT SECRET [SECRET ...]; prints "ready" once listening.
"""

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

lock = threading.Lock()
state = {"fail": 0, "hang": False, "secrets": sys.argv[2:], "received": [], "open": 0}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body=b""):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        with lock:
            body = json.dumps({"received": state["received"], "open": state["open"]})
        self.answer(200, body.encode())

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path == "/_control":
            with lock:
                state.update(json.loads(raw))
            return self.answer(204)
        headers = {name.lower(): value for name, value in self.headers.items()}
        with lock:
            secrets = list(state["secrets"])
            hang = state["hang"]
        verified_by = []
        for index, secret in enumerate(secrets):
            try:
                Webhook(secret).verify(raw, headers)
                verified_by.append(index)
            except WebhookVerificationError:
                pass
        if hang:
            with lock:
                state["open"] += 1
            while True:
                time.sleep(1)
                with lock:
                    if not state["hang"]:
                        state["open"] -= 1
                        break
        with lock:
            failing = state["fail"] > 0
            if failing:
                state["fail"] -= 1
            status = 500 if failing else (204 if verified_by else 401)
            try:
                event = json.loads(raw)
            except ValueError:
                event = None
            state["received"].append(
                {
                    "webhook_id": headers.get("webhook-id"),
                    "signatures": headers.get("webhook-signature", "").split(" "),
                    "event": event,
                    "verified_by": verified_by,
                    "status": status,
                    "at": time.time(),
                }
            )
        self.answer(status)


server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
server.daemon_threads = True
print("ready", flush=True)
server.serve_forever()
