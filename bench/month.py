"""Times the accountants' month on a large generated month (see bench/month.sh): the
reconciliation page, the payroll XLSX and closing the month (split + statement lines +
digest + vouchers), over HTTP as the accountant would. Standard library only."""
import html.parser, http.client, sys, time, urllib.parse

base, month, password, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
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

def timed(label, path, expect=200):
    times = []
    for _ in range(rounds):
        status, data, dt = req("GET", path)
        assert status == expect, f"{path}: {status}"
        times.append(dt)
    print(f"{label}: best {min(times):.3f} s, worst {max(times):.3f} s over {rounds} (size {len(data) // 1024} KB)")
    return data

timed("reconciliation page (open month, live split)", f"/accounting/reconciliation?m={month}")
timed("payroll XLSX (open month, live split)", f"/accounting/payroll.xlsx?m={month}")
_, page, _ = req("GET", f"/accounting/month?m={month}")
status, _, dt = req("POST", f"/accounting/month/close?m={month}", urllib.parse.urlencode({"confirm": "yes", "csrf": csrf(page)}))
assert status == 303, f"close: {status}"
print(f"close the month (split, statement lines, digest, vouchers): {dt:.3f} s")
timed("reconciliation page (closed month, stored lines)", f"/accounting/reconciliation?m={month}")
timed("payroll XLSX (closed month, stored lines)", f"/accounting/payroll.xlsx?m={month}")
