"""How long fsync takes on this disk (a durable commit waits for one). Prints p50/p99/max."""
import os, sys, tempfile, time

secs = float(sys.argv[1]) if len(sys.argv) > 1 else 5
path = os.path.join(sys.argv[2] if len(sys.argv) > 2 else tempfile.gettempdir(), "canteen-fsync-probe")
fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
lat = []
end = time.time() + secs
while time.time() < end:
    os.write(fd, b"x" * 4096)
    t = time.perf_counter()
    os.fsync(fd)
    lat.append((time.perf_counter() - t) * 1000)
os.close(fd)
os.unlink(path)
lat.sort()
n = len(lat)
print(f"fsync on this disk: {n} in {secs:.0f} s, p50 {lat[n // 2]:.2f} ms, p99 {lat[int(n * 0.99)]:.2f} ms, "
      f"max {lat[-1]:.1f} ms, stalls over 50 ms: {sum(1 for x in lat if x > 50)}")
