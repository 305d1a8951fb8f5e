"""A logged-in HTTP session for the benchmark scripts (standard library only): cookies, the
CSRF field of the page's form, and timed requests."""
import html.parser, http.client, time, urllib.parse


class _Csrf(html.parser.HTMLParser):
    csrf = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") == "csrf":
            self.csrf = a.get("value")


class Session:
    def __init__(self, base):
        self.url = urllib.parse.urlparse(base)
        self.cookies = {}

    def req(self, method, path, body=None):
        """(status, body bytes, seconds)"""
        c = http.client.HTTPConnection(self.url.hostname, self.url.port, timeout=600)
        h = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            h["Content-Type"] = "application/x-www-form-urlencoded"
        t = time.perf_counter()
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        dt = time.perf_counter() - t
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                name, _, value = v.split(";")[0].partition("=")
                self.cookies[name] = value
        return r.status, data, dt

    @staticmethod
    def csrf(page):
        f = _Csrf()
        f.feed(page.decode())
        return f.csrf

    def login(self, username, password):
        _, page, _ = self.req("GET", "/login")
        form = {"username": username, "password": password, "csrf": self.csrf(page)}
        status, _, _ = self.req("POST", "/login", urllib.parse.urlencode(form))
        assert status == 303, f"login failed: {status}"
        time.sleep(1)
