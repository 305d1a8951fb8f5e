"""Logs in N demo staff and prints, per person: session token, CSRF token, and two week
submissions (all open days on the first option / all on the second). Standard library only."""
import html.parser, http.client, sys, urllib.parse

base, n, password = sys.argv[1], int(sys.argv[2]), sys.argv[3]
u = urllib.parse.urlparse(base)

class Form(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.csrf = None; self.meals = {}; self.shown = {}
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") == "csrf": self.csrf = a.get("value")
        if tag == "input" and a.get("type") == "radio" and a.get("name", "").startswith("meal_"):
            self.meals.setdefault(a["name"], []).append(a["value"])
        if tag == "input" and a.get("name", "").startswith("shown_"): self.shown[a["name"]] = a["value"]

def req(method, path, cookies, body=None):
    c = http.client.HTTPConnection(u.hostname, u.port)
    h = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    if body is not None: h["Content-Type"] = "application/x-www-form-urlencoded"
    c.request(method, path, body=body, headers=h)
    r = c.getresponse(); data = r.read().decode()
    for k, v in r.getheaders():
        if k.lower() == "set-cookie":
            name, _, value = v.split(";")[0].partition("=")
            cookies[name] = value
    return r.status, data

for i in range(1, n + 1):
    cookies = {}
    _, page = req("GET", "/login", cookies)
    f = Form(); f.feed(page)
    body = urllib.parse.urlencode({"username": f"nv{i:03d}", "password": password, "csrf": f.csrf})
    status, _ = req("POST", "/login", cookies, body)
    assert status == 303 and "canteen_session" in cookies, f"login of nv{i:03d} failed: {status}"
    _, page = req("GET", "/week", cookies)
    f = Form(); f.feed(page)
    assert f.meals, "no open day to order: publish a menu first"
    a = {k: v[0] for k, v in f.meals.items()}
    b = {k: v[1] if len(v) > 1 else "none" for k, v in f.meals.items()}
    # Each body says the page showed the other one, so every request changes every open day
    # (a body equal to what is stored changes nothing and is no conflict either).
    for k in f.meals:
        day = k[len("meal_"):]
        a[f"shown_{day}"] = f"{b[k]}:0"
        b[f"shown_{day}"] = f"{a[k]}:0"
        a[f"confirm_{day}"] = b[f"confirm_{day}"] = "yes"  # some demo staff have declared absences
    a["csrf"] = b["csrf"] = f.csrf
    # Start from body a: sent with what the page really showed, so the stored week is a.
    first = dict(a); first.update(f.shown)
    status, _ = req("POST", "/week", cookies, urllib.parse.urlencode(first))
    assert status == 303, f"first submission of nv{i:03d} failed: {status}"
    print("\t".join([cookies["canteen_session"], f.csrf, urllib.parse.urlencode(a), urllib.parse.urlencode(b)]))
