#!/usr/bin/env python3
"""Measures the agent's JVM footprint and start time with the real launcher (not a CI test).

For each trial: copies examples/node-a.yaml and node-b.yaml into a fresh directory with free
ports and their own state dirs, starts `<launcher> run` for both, times start -> a's /status says
MASTER, lets the pair idle, reads each agent's RSS from /proc/<pid>/status, times
`<launcher> status --api ...` (a CLI call), and reads GC pauses from a -Xlog:gc file (passed
through JAVA_TOOL_OPTIONS, so it works for any launcher). Both agents are stopped by PID.

usage: bench/jvm/measure.py [--launcher bin/redis-ha] [--trials 5] [--idle 20] [--label after]
Extra JVM flags for the agents: REDIS_HA_JAVA_OPTS in the environment (the new launcher reads it).
"""
import argparse, json, os, re, shutil, signal, socket, statistics, subprocess, sys, tempfile, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PORTS = [6380, 6381, 7401, 7402, 7481, 7482, 6390, 6391, 26390, 26391]


def free_port():
    while True:
        with socket.socket() as t, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            t.bind(("127.0.0.1", 0))
            port = t.getsockname()[1]
            try:
                u.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue


def prepare(work):
    mapping = {p: free_port() for p in PORTS}
    for name in ("node-a.yaml", "node-b.yaml"):
        text = open(os.path.join(ROOT, "examples", name)).read()
        text = re.sub(r"\b(" + "|".join(map(str, PORTS)) + r")\b", lambda m: str(mapping[int(m.group(1))]), text)
        open(os.path.join(work, name), "w").write(text)
    shutil.copy(os.path.join(ROOT, "examples", "key.txt"), work)
    return mapping


def state(api):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/status" % api, timeout=1) as r:
            return json.load(r).get("state", "")
    except Exception:
        return ""


def rss_kb(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return -1


def gc_pauses(path):
    pauses = []
    if os.path.exists(path):
        for line in open(path):
            m = re.search(r"Pause.* (\d+\.\d+)ms$", line.strip())
            if m:
                pauses.append(float(m.group(1)))
    return pauses


def trial(launcher, idle, env):
    work = tempfile.mkdtemp(prefix="redisha-jvm-")
    ports = prepare(work)
    procs = []
    try:
        t0 = time.monotonic()
        for n in ("a", "b"):
            e = dict(env)
            e["JAVA_TOOL_OPTIONS"] = "-Xlog:gc:file=%s/gc-%s.log" % (work, n)
            procs.append(subprocess.Popen([launcher, "run", "--config", os.path.join(work, "node-%s.yaml" % n)],
                                          cwd=work, env=e, stdout=open(os.path.join(work, n + ".out"), "w"),
                                          stderr=subprocess.STDOUT))
        api_a = ports[7481]
        while state(api_a) != "MASTER":
            if time.monotonic() - t0 > 60:
                raise RuntimeError("a not MASTER after 60 s; see " + work)
            time.sleep(0.02)
        to_master = time.monotonic() - t0
        time.sleep(idle)
        rss = [rss_kb(p.pid) for p in procs]
        cli = []
        for _ in range(3):
            c0 = time.monotonic()
            subprocess.run([launcher, "status", "--api", "127.0.0.1:%d,127.0.0.1:%d" % (api_a, ports[7482])],
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            cli.append(time.monotonic() - c0)
        return to_master, rss, statistics.median(cli), gc_pauses(work + "/gc-a.log") + gc_pauses(work + "/gc-b.log")
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        if os.path.exists(work + "/gc-a.log"):
            shutil.copy(work + "/gc-a.log", os.path.join(tempfile.gettempdir(), "redisha-jvm-last-gc-a.log"))
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--launcher", default=os.path.join(ROOT, "bin", "redis-ha"))
    ap.add_argument("--trials", type=int, default=5)
    ap.add_argument("--idle", type=float, default=20)
    ap.add_argument("--label", default="")
    a = ap.parse_args()
    a.launcher = os.path.abspath(a.launcher)
    env = dict(os.environ)
    results = []
    for i in range(a.trials):
        r = trial(a.launcher, a.idle, env)
        results.append(r)
        print("trial %d: master after %.2f s, RSS a/b %d/%d MB, status CLI %.2f s, %d GC pauses (max %.1f ms)"
              % (i + 1, r[0], r[1][0] // 1024, r[1][1] // 1024, r[2], len(r[3]), max(r[3], default=0)), flush=True)
    pauses = [p for r in results for p in r[3]]
    print("%s median of %d: start->MASTER %.2f s, agent RSS %d MB, status CLI %.2f s; GC pauses %d, median %.1f ms, max %.1f ms; load %s"
          % (a.label, a.trials, statistics.median(r[0] for r in results),
             statistics.median(x for r in results for x in r[1]) // 1024, statistics.median(r[2] for r in results),
             len(pauses), statistics.median(pauses) if pauses else 0, max(pauses, default=0),
             open("/proc/loadavg").read().split()[0]))


if __name__ == "__main__":
    sys.exit(main())
