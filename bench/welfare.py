"""Times the union officer's month on 10 000 members (see bench/welfare.sh): generating the
month's dues, the dues page, arrears, a Tết list for every member and a Trung thu list of
children (generated, shown, printed, exported), over HTTP. Standard library only."""
import html.parser, http.client, re, sys, time, urllib.parse

base, month, day, password, rounds = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
u = urllib.parse.urlparse(base)
cookies = {}

class Csrf(html.parser.HTMLParser):
    csrf = None
    once = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") == "csrf": self.csrf = a.get("value")
        if tag == "input" and a.get("name") == "once": self.once = a.get("value")

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
    return r.status, data, dt, r.getheader("Location")

def csrf(page):
    f = Csrf(); f.feed(page.decode()); return f.csrf

_, page, _, _ = req("GET", "/login")
status, _, _, _ = req("POST", "/login", urllib.parse.urlencode({"username": "bench", "password": password, "csrf": csrf(page)}))
assert status == 303, f"login failed: {status}"
time.sleep(1)

def timed(label, path, expect=200):
    times = []
    for _ in range(rounds):
        status, data, dt, _ = req("GET", path)
        assert status == expect, f"{path}: {status}"
        times.append(dt)
    print(f"{label}: best {min(times):.3f} s, worst {max(times):.3f} s over {rounds} (size {len(data) // 1024} KB)")
    return data

def post(label, path, fields):
    _, page, _, _ = req("GET", "/welfare/occasions")
    f = Csrf(); f.feed(page.decode())
    fields = dict(fields, csrf=f.csrf)
    if "once" in fields: fields["once"] = f.once
    status, data, dt, loc = req("POST", path, urllib.parse.urlencode(fields))
    assert status == 303, f"{path}: {status} " + " ".join(re.findall(r'<li>(.*?)</li>|class="error">(.*?)<', data.decode())[:5].__str__() for _ in [0])
    print(f"{label}: {dt:.3f} s")
    return loc

timed("dues page before generating (plan for every member)", f"/welfare/dues?org=1&m={month}")
post("generate the month's dues (10 000 members)", "/welfare/dues/generate", {"org": "1", "m": month})
timed("dues page (generated month, page 1)", f"/welfare/dues?org=1&m={month}")
timed("dues XLSX (every member)", f"/welfare/dues.xlsx?org=1&m={month}")
timed("arrears (three months, one in seven owing)", "/welfare/arrears?org=1")
tet = post("Tết list for every member (generate)", "/welfare/occasions",
    {"name": "Quà Tết", "occasion_date": day, "audience": "members", "organisation": "", "child_max_age": "",
     "amount": "500.000", "gift": "", "fund": "2", "once": ""})
timed("Tết list page", tet)
timed("Tết list print (A4, every row)", tet + "/print")
timed("Tết list XLSX", tet + "/list.xlsx")
tt = post("Trung thu list of children under 15 (generate)", "/welfare/occasions",
    {"name": "Trung thu", "occasion_date": day, "audience": "children", "organisation": "", "child_max_age": "15",
     "amount": "100.000", "gift": "", "fund": "2", "once": ""})
timed("Trung thu list page", tt)
