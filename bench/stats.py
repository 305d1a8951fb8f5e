"""Times the statistics on a large generated history (see bench/stats.sh): the leadership
dashboard, every standard report for a year, over HTTP as a leader would. Standard library
only."""
import html.parser, http.client, sys, time, urllib.parse

base, password, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
period = sys.argv[4] if len(sys.argv) > 4 else "from=01/11/2025&to=31/10/2026"
u = urllib.parse.urlparse(base)
cookies = {}

class Csrf(html.parser.HTMLParser):
    csrf = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") == "csrf": self.csrf = a.get("value")

def req(method, path, body=None):
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=600)
    h = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    if body is not None: h["Content-Type"] = "application/x-www-form-urlencoded"
    t = time.perf_counter()
    c.request(method, path, body=body, headers=h)
    r = c.getresponse(); data = r.read()
    dt = time.perf_counter() - t
    for k, v in r.getheaders():
        if k.lower() == "set-cookie":
            name, _, value = v.split(";")[0].partition("=")
            cookies[name] = value
    return r.status, data, dt

def csrf(page):
    f = Csrf(); f.feed(page.decode()); return f.csrf

_, page, _ = req("GET", "/login")
status, _, _ = req("POST", "/login", urllib.parse.urlencode({"username": "bench", "password": password, "csrf": csrf(page)}))
assert status == 303, f"login failed: {status}"
time.sleep(1)

worst = {}
def timed(label, path):
    times = []
    for _ in range(rounds):
        status, data, dt = req("GET", path)
        assert status == 200, f"{path}: {status}"
        times.append(dt)
    worst[label] = max(times)
    print(f"{label:34s} best {min(times):6.3f} s  worst {max(times):6.3f} s  ({len(data) // 1024} KB)")

timed("dashboard (12 months)", "/dashboard")
_, cat, _ = req("GET", "/reports")
ids = sorted(set(p.split('"')[0] for p in cat.decode().split('href="/reports/')[1:] if not p.startswith("packs")))
for rid in ids:
    timed(f"{rid} (a year)", f"/reports/{rid}?{period}")
print(f"slowest report: {max((v, k) for k, v in worst.items() if k != 'dashboard (12 months)')}")
