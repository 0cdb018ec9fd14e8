"""Two minhu replicas behind HAProxy on a PostgreSQL primary with a streaming standby
(tests/replicas/run.sh sets it up): what must hold past one machine. Standard library only."""

import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid

LB, A, B = os.environ["LB_URL"], os.environ["A_URL"], os.environ["B_URL"]
PASSWORD = "replicas-demo-password"


def call(base, method, path, body=None, token=None, headers=None, timeout=10):
    """(status, parsed JSON or None); a connection that fails is status 0."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", "Bearer " + token)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:
            raw = res.read()
            return res.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw)
        except ValueError:
            return e.code, None
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return 0, None


START = time.monotonic()


def sql(query):
    """One query on the primary, its output (unaligned, no headers)."""
    return subprocess.run(os.environ["PRIMARY_PSQL"].split() + ["-c", query],
                          check=True, capture_output=True, text=True).stdout.strip()


def check(cond, what):
    if not cond:
        print(f"FAILED: {what}", file=sys.stderr)
        os._exit(1)
    print(f"ok ({time.monotonic() - START:5.1f} s): {what}")


def until(what, probe, seconds):
    """Polls `probe` until it is true; fails after `seconds`."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if probe():
            return
        time.sleep(0.1)
    check(False, what)


def login(base, username, password):
    status, body = call(base, "POST", "/api/v1/auth/login", {"username": username, "password": password})
    check(status == 200, f"{username} signs in ({status})")
    return body["access_token"]


def replica_state(base):
    status, body = call(base, "GET", "/readyz")
    return body.get("replica") if status == 200 and body else None


def petition(title):
    return {"kind": "help", "category_id": 1, "urgency": "normal", "title": title,
            "content": "东门口路灯坏了一个多月，晚上一片漆黑，请尽快修理。", "publish_consent": True}


# Both replicas have looked at the standby and read from it.
for base in (A, B):
    until(f"{base} reads from the standby", lambda: replica_state(base) == "ok", 15)

# A submission through one replica is read through the other.
status, _ = call(LB, "POST", "/api/v1/auth/register",
                 {"username": "replica_citizen", "password": "citizen-pass-1", "display_name": "市民"})
check(status == 201, "a citizen registers through the balancer")
citizen = login(A, "replica_citizen", "citizen-pass-1")
status, p = call(A, "POST", "/api/v1/petitions", petition("路灯坏了"), token=citizen)
check(status == 201, "submitted through replica A")
status, again = call(B, "GET", f"/api/v1/petitions/{p['id']}", token=citizen)
check(status == 200 and again["tracking_no"] == p["tracking_no"], "read at once through replica B (primary)")
until("the tracking page through B (standby) shows it",
      lambda: call(B, "GET", f"/api/v1/track/{p['tracking_no']}")[0] == 200, 5)

# Twelve wrong passwords alternating between the replicas: throttled after ten.
status, _ = call(LB, "POST", "/api/v1/auth/register",
                 {"username": "zhang_wei", "password": "citizen-pass-1", "display_name": "张伟"})
check(status == 201, "another citizen registers")
statuses = [call(A if i % 2 == 0 else B, "POST", "/api/v1/auth/login",
                 {"username": "zhang_wei", "password": "wrong-password"})[0] for i in range(12)]
check(statuses == [401] * 10 + [429] * 2, f"throttled after ten across replicas: {statuses}")

# A webhook is delivered once with both replicas up.
received = []
lock = threading.Lock()


class Hooks(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        with lock:
            received.append(self.headers.get("x-minhu-event-id"))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


hooks = http.server.ThreadingHTTPServer(("127.0.0.1", int(os.environ["HOOKS_PORT"])), Hooks)
threading.Thread(target=hooks.serve_forever, daemon=True).start()
admin = login(LB, "replica_admin", "replica-admin-password")
status, creds = call(LB, "POST", "/api/v1/partners", {"name": "县级政务平台"}, token=admin)
check(status == 201, "a partner is issued")
status, tok = call(LB, "POST", "/api/v1/auth/token",
                   {"client_id": creds["client_id"], "client_secret": creds["client_secret"]})
check(status == 200, "the partner gets a token")
partner = tok["access_token"]
status, _ = call(LB, "POST", "/api/v1/webhooks",
                 {"url": f"http://127.0.0.1:{os.environ['HOOKS_PORT']}/events", "events": ["petition.accepted"]},
                 token=partner)
check(status == 201, "the partner registers a webhook")
operator = login(LB, "demo_operator", PASSWORD)
for i in range(4):
    body = dict(petition(f"合作方提交 {i}"), contact_name="李大爷", contact_phone="13912345678")
    status, sub = call(LB, "POST", "/api/v1/petitions", body, token=partner)
    check(status == 201, f"the partner submits petition {i}")
    status, _ = call(LB, "POST", f"/api/v1/petitions/{sub['id']}/accept", {}, token=operator)
    check(status == 200, f"the hotline office accepts petition {i}")
# Done once every delivery row is marked delivered: no replica claims a delivered row again, so
# what the receiver has by then is all it will ever get.
until("four acceptances delivered and marked so",
      lambda: sql("SELECT count(*) FROM webhook_deliveries WHERE status = 'delivered'") == "4", 20)
with lock:
    check(len(received) == 4 and len(set(received)) == 4, f"each delivered once: {received}")
check(sql("SELECT sum(attempts) FROM webhook_deliveries") == "4", "one attempt each")

# A job runs once with both replicas' job loops running (every second each): two orders due
# seconds apart are marked overdue. By the time the later one is marked, both loops have run
# many times past the first one's deadline, and it still has one overdue event and one red
# message per handler of its unit.
def order_due_in(seconds, title):
    status, sub = call(LB, "POST", "/api/v1/petitions", petition(title), token=citizen)
    check(status == 201, f"submitted: {title}")
    status, _ = call(LB, "POST", f"/api/v1/petitions/{sub['id']}/accept", {}, token=operator)
    check(status == 200, f"accepted: {title}")
    due = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + seconds))
    status, body = call(LB, "POST", f"/api/v1/petitions/{sub['id']}/assignments",
                        {"unit_id": unit, "role": "lead", "reply_by": due}, token=operator)
    check(status == 201, f"dispatched, due in {seconds} s" + ("" if status == 201 else f": {body}"))
    return sub["id"]


unit = int(sql("SELECT unit_id FROM users WHERE username = 'demo_unit1'"))
first = order_due_in(3, "限时测试：先到期")
second = order_due_in(6, "限时测试：后到期")
overdue = "SELECT count(*) FROM events WHERE petition_id = {} AND action = 'overdue'"
until("the later order marked overdue",
      lambda: sql(overdue.format(second)) == "1", 30)
check(sql(overdue.format(first)) == "1", "the first order marked overdue once")
handlers = sql(f"SELECT count(*) FROM users WHERE unit_id = {unit} AND role = 'handler' AND active")
reds = sql(f"SELECT count(*) FROM notifications WHERE petition_id = {first} AND event = 'order.red'")
check(reds == handlers and handlers != "0", f"one red message per handler: {reds} for {handlers}")

# The standby stopped and started again under load: public reads keep answering.
reads, stop_reading = [], threading.Event()


def reader():
    while not stop_reading.is_set():
        for path in ("/api/v1/public/petitions", f"/api/v1/track/{p['tracking_no']}"):
            reads.append(call(LB, "GET", path)[0])


readers = [threading.Thread(target=reader) for _ in range(3)]
for t in readers:
    t.start()
subprocess.run(os.environ["STANDBY_STOP"], shell=True, check=True, stdout=subprocess.DEVNULL)
until("both replicas see the standby down", lambda: replica_state(A) == "down" and replica_state(B) == "down", 10)
served_while_down = len(reads)
until("reads answered while the standby is down", lambda: len(reads) > served_while_down + 50, 10)
subprocess.run(os.environ["STANDBY_START"], shell=True, check=True, stdout=subprocess.DEVNULL)
until("both replicas read from the standby again",
      lambda: replica_state(A) == "ok" and replica_state(B) == "ok", 30)
stop_reading.set()
for t in readers:
    t.join()
bad = [s for s in reads if s != 200]
check(len(reads) > 100 and not bad, f"{len(reads)} public reads through the balancer, none failed ({bad[:5]})")

# One replica killed under a steady load of submissions: clients retry with their key.
acked, acked_lock, stop_submitting = {}, threading.Lock(), threading.Event()
worker = login(LB, "replica_citizen", "citizen-pass-1")


def submitter(n):
    i = 0
    while not stop_submitting.is_set():
        key = f"load-{n}-{i}-{uuid.uuid4().hex[:8]}"
        deadline = time.monotonic() + 30
        while True:  # the same key until it is acknowledged
            status, body = call(LB, "POST", "/api/v1/petitions", petition(f"负载 {n}-{i}"), token=worker,
                                headers={"idempotency-key": key}, timeout=5)
            if status == 201:
                with acked_lock:
                    acked[key] = body["id"]
                break
            if time.monotonic() > deadline:
                check(False, f"submission {key} acknowledged within 30 s (last {status})")
            time.sleep(0.05)
        i += 1


submitters = [threading.Thread(target=submitter, args=(n,)) for n in range(4)]
for t in submitters:
    t.start()
until("20 submissions acknowledged before the kill", lambda: len(acked) >= 20, 30)
os.kill(int(os.environ["A_PID"]), signal.SIGKILL)
at_kill = len(acked)
until("40 more acknowledged after replica A was killed", lambda: len(acked) >= at_kill + 40, 60)
stop_submitting.set()
for t in submitters:
    t.join()
rows = sql("SELECT k.key, k.petition_id FROM idempotency_keys k JOIN users u ON u.id = k.user_id "
           "WHERE u.username = 'replica_citizen'").split()
stored = {k: int(v) for k, v in (r.split("|") for r in rows) if k.startswith("load-")}
check(stored == acked, f"every acknowledged submission is stored under its key ({len(acked)})")
count = int(sql("SELECT count(*) FROM petitions p JOIN users u ON u.id = p.submitter_id "
                "WHERE u.username = 'replica_citizen' AND p.title LIKE '负载 %'"))
check(count == len(acked), f"and none twice: {count} petitions for {len(acked)} keys")
status, _ = call(B, "GET", "/readyz")
check(status == 200, "replica B still serves")
hooks.shutdown()
print("replicas: all good")
