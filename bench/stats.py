"""Times the statistics on a large generated history (see bench/stats.sh): the leadership
dashboard, every standard report for a year, over HTTP as a leader would. Standard library
only."""
import sys
from session import Session

base, password, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
period = sys.argv[4] if len(sys.argv) > 4 else "from=01/11/2025&to=31/10/2026"
s = Session(base)
s.login("bench", password)
req = s.req

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
