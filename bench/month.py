"""Times the accountants' month on a large generated month (see bench/month.sh): the
reconciliation page, the payroll XLSX and closing the month (split + statement lines +
digest + vouchers), over HTTP as the accountant would. Standard library only."""
import sys, urllib.parse
from session import Session

base, month, password, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
s = Session(base)
s.login("bench", password)
req, csrf = s.req, Session.csrf

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
