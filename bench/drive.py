"""Sends N requests of one kind, one after the other, for bench/instructions.sh: "week" (GET
/week) or "submit" (POST /week, each person's two bodies from bench/login.py in turn; where
each person stands is kept beside the sessions file). Prints the count of unexpected answers.
Standard library only."""
import http.client, sys
sessions_file, port, kind, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
state_file = sessions_file + ".flip"
S = [l.rstrip("\n").split("\t") for l in open(sessions_file)]
try: flips = [x == "1" for x in open(state_file).read().split(",")]
except Exception: flips = [False] * len(S)
c = http.client.HTTPConnection("127.0.0.1", port)
bad = 0
for i in range(n):
    k = i % len(S); cookie, csrf, a, b = S[k]
    h = {"Cookie": "canteen_session=" + cookie}
    if kind == "week":
        c.request("GET", "/week", headers=h); r = c.getresponse(); r.read()
        if r.status != 200: bad += 1
    else:
        flips[k] = not flips[k]
        h["Content-Type"] = "application/x-www-form-urlencoded"
        c.request("POST", "/week", body=a if flips[k] else b, headers=h); r = c.getresponse(); r.read()
        if r.status != 303 or r.getheader("location") != "/week": bad += 1
open(state_file, "w").write(",".join("1" if f else "0" for f in flips))
print(f"{kind} {n} requests, {bad} unexpected")
