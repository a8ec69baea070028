#!/usr/bin/env python3
"""scripts/bench: streamconv against the tools users would pick instead (issue 8).

Builds release, makes the inputs, and for each workload measures streamconv and every peer
present in the same run: the median of N runs (default 5) after a warm-up run. Prints a table
and writes bench/results.json. A peer that is not installed is reported as absent.

  B1  255-tap low-pass, 60 s stereo 48 kHz float WAV, run --block 256, file to file; sox fir (wall)
  B2  65,536-tap FIR, 20 s stereo, blocks of 256; BruteFIR, 256-sample partitions (CPU, perf task-clock)
  B3  Conv1d(64, 64, 7, dilation=4), 20 s at 16 kHz, whole and in 160-frame blocks; PyTorch, 1 thread (CPU)
  B4  Conv1d(16, 33, 3, stride=2), 20 s at 48 kHz, whole; PyTorch, 1 thread (CPU)
  B5  1-hour stereo file through run: peak RSS, against a 6-minute one (flat in the length)
  Z   impulse responses of 64 to 262,144 taps, 20 s stereo, blocks of 256 (CPU); zita-convolver
      through bench/zita_harness.cc, built from libzita-convolver-dev when installed
  FFT the real FFT of 256 to 32,768 points (forward + inverse, ns); FFTW's measured plans through
      bench/fftw_harness.c, built from libfftw3-dev when installed
  plus the direct engine on the 255-tap FIR in process (GFLOP/s), the per-call overhead of
  process, and a probe of this build's single-core peak (separate multiply and add).

Options: --smoke (tiny sizes, one run each: checks that everything runs and the JSON is valid),
--runs N, --install-peers (apt: sox, brutefir, zita-convolver; pip: torch, numpy, scipy into a throwaway virtualenv),
--only IDS (e.g. --only Z,FFT), --out FILE. Uses only the Python standard library; PyTorch runs in bench/.venv when present.
"""
import argparse
import array
import json
import re
import math
import os
import platform
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, ".build-bench", "venv")


def log(text):
    print(text, file=sys.stderr, flush=True)


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


# ---------------------------------------------------------------- inputs (standard library only)

def float_wav_header(frames, channels, rate):
    """The header of a float32 WAV (WAVE_FORMAT_IEEE_FLOAT, with a fact chunk)."""
    size = frames * channels * 4
    return (b"RIFF" + struct.pack("<I", 4 + 26 + 12 + 8 + size) + b"WAVE"
            + b"fmt " + struct.pack("<IHHIIHHH", 18, 3, channels, rate, rate * channels * 4, channels * 4, 32, 0)
            + b"fact" + struct.pack("<II", 4, frames)
            + b"data" + struct.pack("<I", size))


def write_float_wav(path, frames, channels, rate, seed, block_seconds=10):
    """Uniform noise in [-0.3, 0.3), float32 WAV; a 10 s block repeated (fast for an hour)."""
    rng = random.Random(seed)
    block_frames = min(frames, rate * block_seconds)
    block = array.array("f", (rng.uniform(-0.3, 0.3) for _ in range(block_frames * channels)))
    if sys.byteorder != "little":
        block.byteswap()
    data = block.tobytes()
    size = frames * channels * 4
    with open(path, "wb") as f:
        f.write(float_wav_header(frames, channels, rate))
        left = size
        while left > 0:
            piece = data[:left]
            f.write(piece)
            left -= len(piece)


def lowpass_taps(taps=255, cutoff=4000.0, rate=48000.0):
    """Blackman-windowed sinc, unity DC gain (symmetric: sox's convolution equals Conv1d's correlation)."""
    m = taps - 1
    h = []
    for n in range(taps):
        t = n - m / 2
        sinc = 2 * cutoff / rate if t == 0 else math.sin(2 * math.pi * cutoff / rate * t) / (math.pi * t)
        window = 0.42 - 0.5 * math.cos(2 * math.pi * n / m) + 0.08 * math.cos(4 * math.pi * n / m)
        h.append(sinc * window)
    total = sum(h)
    return [v / total for v in h]


def room_response(taps, seed=5):
    """A decaying noise tail, like a measured room response."""
    rng = random.Random(seed)
    return [rng.gauss(0, 0.05) * math.exp(-n / (taps / 8)) for n in range(taps)]


# ---------------------------------------------------------------- measuring

def have_perf():
    if not shutil.which("perf"):
        return False
    try:
        return subprocess.run(["perf", "stat", "-e", "task-clock", "true"], capture_output=True).returncode == 0
    except OSError:
        return False


def run_once(cmd, cwd, env=None, perf=False):
    """Wall seconds, CPU seconds and peak RSS (KiB) of one run of `cmd`.

    CPU: perf's task-clock over the process and every thread and child it makes (BruteFIR
    forks) when perf works, else the process's own rusage (its threads and the children it
    waited for)."""
    stat = None
    if perf:
        fd, stat = tempfile.mkstemp(suffix=".perf")
        os.close(fd)
        cmd = ["perf", "stat", "-x,", "-e", "task-clock", "-o", stat, "--"] + cmd
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {err.strip()[-500:]}")
    cpu = usage.ru_utime + usage.ru_stime
    if stat:
        with open(stat) as f:
            for line in f:
                fields = line.strip().split(",")
                if len(fields) > 2 and fields[2].startswith("task-clock"):
                    cpu = float(fields[0]) / 1000
        os.unlink(stat)
    return wall, cpu, usage.ru_maxrss


def median_runs(cmd, cwd, runs, env=None, perf=False):
    """Medians of wall and CPU seconds over `runs` runs after a warm-up run."""
    run_once(cmd, cwd, env, perf)
    samples = [run_once(cmd, cwd, env, perf) for _ in range(runs)]
    wall = sorted(s[0] for s in samples)[len(samples) // 2]
    cpu = sorted(s[1] for s in samples)[len(samples) // 2]
    return {"wall": wall, "cpu": cpu, "rss_kib": max(s[2] for s in samples)}


def peer_runs(row, name, cmd, cwd, runs, key, env=None, perf=False):
    """Times a peer into row["peers"][name]; a peer that fails is reported, not fatal."""
    try:
        measured = median_runs(cmd, cwd, runs, env=env, perf=perf)
    except RuntimeError as error:
        row["peers"][name] = {"error": str(error)[-300:]}
        log(f"{name} failed: {error}")
        return None
    row["peers"][name] = {"seconds": measured[key], "ratio": ratio(measured[key], row["streamconv"])}
    return row["peers"][name]["ratio"]


def ratio(peer, ours):
    return peer / ours if ours > 0 else None


# ---------------------------------------------------------------- peers

def install_peers():
    if os.geteuid() == 0:
        apt = ["apt-get"]
    elif shutil.which("sudo"):
        apt = ["sudo", "apt-get"]
    else:
        sys.exit("--install-peers: run as root (or with sudo) to install sox and brutefir")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    sh(apt + ["update", "-qq"], env=env)
    sh(apt + ["install", "-y", "-qq", "sox", "brutefir", "python3-venv", "g++", "libzita-convolver-dev", "libfftw3-dev"], env=env)
    sh([sys.executable, "-m", "venv", VENV])
    sh([os.path.join(VENV, "bin", "pip"), "install", "-q", "torch", "numpy", "scipy", "cached_conv"])


def torch_python():
    python = os.path.join(VENV, "bin", "python")
    for candidate in [python, sys.executable]:
        if os.path.exists(candidate) and subprocess.run(
                [candidate, "-c", "import torch"], capture_output=True).returncode == 0:
            return candidate
    return None


BRUTEFIR_DEFAULTS = """float_bits: 32; sampling_rate: 48000; filter_length: 256,256;
config_file: "~/.brutefir_config"; overflow_warnings: false; show_progress: false;
max_dither_table_size: 0; allow_poll_mode: false; modules_path: "."; monitor_rate: false;
powersave: false; lock_memory: false; sdf_length: -1; safety_limit: 40;
convolver_config: "~/.brutefir_convolver";
coeff { format: "TEXT"; attenuation: 0.0; blocks: -1; skip: 0; shared_mem: false; };
input { device: "file" {}; sample: "S16_LE"; channels: 2/0,1; delay: 0,0; maxdelay: -1; subdelay: 0,0; mute: false,false; };
output { device: "file" {}; sample: "S16_LE"; channels: 2/0,1; delay: 0,0; maxdelay: -1; subdelay: 0,0; mute: false,false; dither: false; };
filter { process: -1; delay: 0; crossfade: false; };
"""

BRUTEFIR_CONFIG = """sampling_rate: 48000;
filter_length: 256,{blocks};
coeff "ir" {{ filename: "ir.raw"; format: "FLOAT_LE"; attenuation: 0; blocks: {blocks}; }};
input "l", "r" {{ device: "file" {{ path: "in.raw"; }}; sample: "FLOAT_LE"; channels: 2; }};
output "l", "r" {{ device: "file" {{ path: "out-brutefir.raw"; }}; sample: "FLOAT_LE"; channels: 2; }};
filter "fl" {{ from_inputs: "l"; to_outputs: "l"; coeff: "ir"; }};
filter "fr" {{ from_inputs: "r"; to_outputs: "r"; coeff: "ir"; }};
"""


# ---------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one run each")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measurement (median), after a warm-up")
    parser.add_argument("--install-peers", action="store_true", help="install sox, brutefir (apt) and torch (pip, bench venv)")
    parser.add_argument("--out", default=os.path.join(ROOT, "bench", "results.json"))
    parser.add_argument("--only", metavar="IDS", help="comma-separated workloads to run (B1, B2, Z, B3, B4, direct, FFT, json, overhead, B5, N1, N2)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    runs = 1 if args.smoke else args.runs
    known = {"B1", "B2", "Z", "B3", "B4", "direct", "FFT", "json", "overhead", "B5", "N1", "N2"}
    only = None
    if args.only is not None:
        only = {i.strip() for i in args.only.split(",") if i.strip()}
        if not only or only - known:
            parser.error(f"--only: unknown workload {', '.join(sorted(only - known)) or '(none given)'}; known: {', '.join(sorted(known))}")
    if args.install_peers:
        install_peers()

    # The build users get: scripts/build-native (for this CPU). --smoke reuses the test build.
    if args.smoke:
        flags = ["-c", "release", "-Xswiftc", "-enable-testing"]
        sh(["swift", "build", "--package-path", ROOT] + flags, stdout=subprocess.DEVNULL)
        bin_dir = subprocess.run(["swift", "build", "--package-path", ROOT] + flags + ["--show-bin-path"],
                                 check=True, capture_output=True, text=True).stdout.strip()
        build = "release (test build, portable)"
    else:
        # build-native builds, then prints the binaries' folder.
        bin_dir = subprocess.run([os.path.join(ROOT, "scripts", "build-native")],
                                 check=True, stdout=subprocess.PIPE, text=True).stdout.strip().splitlines()[-1]
        build = "release, " + ("portable" if os.environ.get("STREAMCONV_PORTABLE") else "-target-cpu native")
    streamconv = os.path.join(bin_dir, "streamconv")
    bench = os.path.join(bin_dir, "streamconv-bench")
    perf = have_perf()
    work = tempfile.mkdtemp(prefix="streamconv-bench-")
    results = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": {"cpu": cpu_model(), "cores": os.cpu_count(), "system": platform.platform()},
        "build": build, "smoke": args.smoke, "runs": runs,
        "cpu_time": "perf task-clock" if perf else "rusage (process and reaped children)",
        "workloads": [],
    }
    try:
        measure(results, work, streamconv, bench, runs, args.smoke, perf, only)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(results, f, indent=2)
        f.write("\n")
    with open(args.out) as f:
        json.load(f)
    print_table(results)
    log(f"wrote {os.path.relpath(args.out)}")


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def workload_json(bench, name, smoke):
    out = subprocess.run([bench, "--workload", name] + (["--smoke"] if smoke else []),
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def measure(results, work, streamconv, bench, runs, smoke, perf, only=None):
    add = results["workloads"].append

    def wanted(*ids):
        return only is None or any(i in only for i in ids)

    probe = workload_json(bench, "probe", smoke)
    peak = probe["gflops"]
    results["peak_gflops"] = peak
    log(f"probe: {peak:.1f} GFLOP/s single-core peak (separate multiply and add, this build)")

    # The 255-tap low-pass of B1 and B5.
    taps = lowpass_taps()
    with open(os.path.join(work, "fir255.json"), "w") as f:
        json.dump({"name": "bench-fir255", "conv1d": {"in_channels": 1, "out_channels": 1, "kernel_size": 255,
                   "padding": "same", "bias": False}, "weight": [[taps]]}, f)
    with open(os.path.join(work, "fir255.txt"), "w") as f:
        f.write("\n".join(repr(v) for v in taps) + "\n")

    if wanted("B1"):
        # B1: 255-tap low-pass, file to file, wall time; sox fir with the same taps.
        seconds = 1 if smoke else 60
        write_float_wav(os.path.join(work, "b1.wav"), 48000 * seconds, 2, 48000, seed=1)
        ours = median_runs([streamconv, "run", "--preset", "fir255.json", "--in", "b1.wav", "--out", "b1-out.wav",
                            "--block", "256"], work, runs, perf=perf)
        flops = 2 * 255 * 2 * 48000 * seconds
        row = {"id": "B1", "workload": f"255-tap low-pass, {seconds} s stereo, run --block 256, file to file",
               "metric": "wall s", "streamconv": ours["wall"], "cpu": ours["cpu"],
               "gflops": flops / ours["wall"] / 1e9, "rt_factor": seconds / ours["wall"],
               "target": "≥ 2× faster than sox fir (wall)", "peers": {}}
        if shutil.which("sox"):
            r = peer_runs(row, "sox fir", ["sox", "b1.wav", "b1-sox.wav", "fir", "fir255.txt"], work, runs, "wall", perf=perf)
            if r is not None:
                row["met"] = r >= 2
        else:
            row["peers"]["sox fir"] = {"absent": True}
        add(row)

    if wanted("B2"):
        # B2: 65,536-tap FIR, CPU; BruteFIR with 256-sample partitions.
        seconds, ir_taps = (1, 4096) if smoke else (20, 65536)
        h = room_response(ir_taps)
        write_float_wav(os.path.join(work, "b2.wav"), 48000 * seconds, 2, 48000, seed=2)
        write_float_wav_samples(os.path.join(work, "ir.wav"), h, 48000)
        with open(os.path.join(work, "ir.json"), "w") as f:
            json.dump({"name": "bench-ir", "impulse_response": "ir.wav"}, f)
        # One thread: CPU is what B2 compares, and a second lane on a shared core costs CPU.
        ours = median_runs([streamconv, "run", "--preset", "ir.json", "--in", "b2.wav", "--out", "b2-out.wav",
                            "--block", "256", "--threads", "1"], work, runs, perf=perf)
        flops = 2 * ir_taps * 2 * 48000 * seconds
        row = {"id": "B2", "workload": f"{ir_taps}-tap FIR, {seconds} s stereo, blocks of 256, --threads 1 (FFT engine, no added latency)",
               "metric": "CPU s", "streamconv": ours["cpu"], "wall": ours["wall"],
               # What the direct sum's flops would be: the FFT engine does far fewer.
               "gflops": flops / ours["cpu"] / 1e9, "equivalent": True, "rt_factor": seconds / ours["wall"],
               "target": "≥ 4× less CPU than BruteFIR (which adds 256 frames)", "peers": {}}
        if shutil.which("brutefir"):
            home = os.path.join(work, "brutefir-home")
            os.makedirs(home)
            with open(os.path.join(home, ".brutefir_defaults"), "w") as f:
                f.write(BRUTEFIR_DEFAULTS)
            with open(os.path.join(work, "brutefir.conf"), "w") as f:
                f.write(BRUTEFIR_CONFIG.format(blocks=ir_taps // 256))
            raw = array.array("f", read_wav_floats(os.path.join(work, "b2.wav")))
            with open(os.path.join(work, "in.raw"), "wb") as f:
                raw.tofile(f)
            with open(os.path.join(work, "ir.raw"), "wb") as f:
                array.array("f", h).tofile(f)
            env = dict(os.environ, HOME=home)
            r = peer_runs(row, "BruteFIR", ["brutefir", "brutefir.conf"], work, runs, "cpu", env=env, perf=perf)
            if r is not None:
                row["met"] = r >= 4
        else:
            row["peers"]["BruteFIR"] = {"absent": True}
        add(row)

    if wanted("Z"):
        # Z: impulse responses of every length, offline, 20 s stereo at blocks of 256, CPU; beside
        # zita-convolver (fconvolver's way: process(true) each quantum) through bench/zita_harness.cc,
        # built from Debian's libzita-convolver-dev when it is installed (never linked by streamconv).
        seconds = 1 if smoke else 20
        write_float_wav(os.path.join(work, "z.wav"), 48000 * seconds, 2, 48000, seed=2)
        harness = None
        if shutil.which("g++") and os.path.exists("/usr/include/zita-convolver.h"):
            harness = os.path.join(work, "zita_harness")
            built = subprocess.run(["g++", "-O2", "-o", harness, os.path.join(ROOT, "bench", "zita_harness.cc"),
                                    "-lzita-convolver", "-lfftw3f", "-lpthread"], capture_output=True, text=True)
            if built.returncode != 0:
                log(f"zita harness did not build: {built.stderr.strip()[-300:]}")
                harness = None
        for taps in ([64, 4096] if smoke else [64, 256, 1024, 4096, 16384, 65536, 262144]):
            write_float_wav_samples(os.path.join(work, f"z{taps}.wav"), room_response(taps), 48000)
            with open(os.path.join(work, f"z{taps}.json"), "w") as f:
                json.dump({"name": f"bench-z{taps}", "impulse_response": f"z{taps}.wav"}, f)
            ours = median_runs([streamconv, "run", "--preset", f"z{taps}.json", "--in", "z.wav", "--out", "z-out.wav",
                                "--block", "256", "--threads", "1"], work, runs, perf=perf)
            row = {"id": f"Z {taps}", "workload": f"{taps}-tap impulse response, {seconds} s stereo, blocks of 256, --threads 1",
                   "metric": "CPU s", "streamconv": ours["cpu"], "wall": ours["wall"], "rt_factor": seconds / ours["wall"],
                   "target": "≤ zita-convolver's CPU", "peers": {}}
            if harness:
                r = peer_runs(row, "zita-convolver", [harness, f"z{taps}.wav", "z.wav", "z-zita.raw", "256"], work, runs, "cpu", perf=perf)
                if r is not None:
                    row["met"] = r >= 1
            else:
                row["peers"]["zita-convolver"] = {"absent": True}
            add(row)

    if wanted("B3", "B4"):
        # B3, B4: layers in process, CPU; PyTorch on one thread.
        python = torch_python()
        for ident, name, label in [("B3", "dense", "Conv1d(64, 64, 7, dilation=4), 20 s at 16 kHz"),
                                   ("B4", "strided", "Conv1d(16, 33, 3, stride=2), 20 s at 48 kHz")]:
            ours = workload_json(bench, name, smoke)
            audio = ours["frames"] / (16000 if name == "dense" else 48000)
            torch_times = None
            if python:
                out = subprocess.run([python, os.path.join(ROOT, "scripts", "bench_torch.py"), name] + (["--smoke"] if smoke else []),
                                     check=True, capture_output=True, text=True).stdout
                torch_times = json.loads(out)
            # B3 also runs with --arithmetic fused (fused multiply-add, opt-in), against the same PyTorch times.
            for mode, fused in [("whole", False), ("streamed", False), ("whole", True), ("streamed", True)]:
                if fused and ident != "B3":
                    continue
                key = mode + ("_fused" if fused else "")
                need = {("whole", False): 1.0, ("streamed", False): 2.0, ("whole", True): 1.1, ("streamed", True): 2.0}[(mode, fused)]
                if ident == "B4" and mode == "streamed":
                    target = "(informational)"
                elif mode == "whole":
                    target = f"≥ {need:.1f}× PyTorch whole"
                else:
                    target = "≥ 2× faster than PyTorch streamed"
                row = {"id": f"{ident} {mode}" + (" fused" if fused else ""),
                       "workload": f"{label}, {mode}" + (f" ({int(ours['block'])}-frame blocks)" if mode == "streamed" else "")
                                   + (", --arithmetic fused" if fused else ""),
                       "metric": "CPU s", "streamconv": ours[key], "gflops": ours["flops"] / ours[key] / 1e9,
                       "rt_factor": audio / ours[key], "target": target, "peers": {}}
                if torch_times:
                    row["peers"]["PyTorch"] = {"seconds": torch_times[mode], "ratio": ratio(torch_times[mode], ours[key]),
                                               "version": torch_times["torch"]}
                    if target.startswith("≥"):
                        row["met"] = row["peers"]["PyTorch"]["ratio"] >= need
                else:
                    row["peers"]["PyTorch"] = {"absent": True}
                add(row)

    if wanted("N1", "N2", "network"):
        # N1, N2: networks streamed in 160-frame chunks on one thread, CPU; PyTorch streamed with a
        # concatenated cache per layer, and cached_conv (scripts/bench_torch_networks.py).
        python = torch_python()
        for ident, name, label in [("N1", "tcn", "causal TCN, 16 channels × 8 dilated layers, tanh, residual adds"),
                                   ("N2", "encdec", "strided encoder / ConvTranspose1d decoder, ELU")]:
            ours = workload_json(bench, name, smoke)
            audio = ours["frames"] / 48000
            peers = None
            if python:
                out = subprocess.run([python, os.path.join(ROOT, "scripts", "bench_torch_networks.py"), name] + (["--smoke"] if smoke else []),
                                     check=True, capture_output=True, text=True).stdout
                peers = json.loads(out)
            for mode in ["streamed", "whole"]:
                row = {"id": f"{ident} {mode}", "workload": f"{label}, {audio:g} s at 48 kHz, {mode}" + (" (160-frame chunks)" if mode == "streamed" else ""),
                       "metric": "CPU s", "streamconv": ours[mode], "rt_factor": audio / ours[mode],
                       "target": "≥ 2× less CPU than PyTorch streamed and cached_conv" if mode == "streamed" else "(informational)", "peers": {}}
                if peers:
                    row["peers"]["PyTorch"] = {"seconds": peers[mode], "ratio": ratio(peers[mode], ours[mode]), "version": peers["torch"]}
                    if mode == "streamed":
                        ratios = [row["peers"]["PyTorch"]["ratio"]]
                        if "cached_conv" in peers:
                            row["peers"]["cached_conv"] = {"seconds": peers["cached_conv"], "ratio": ratio(peers["cached_conv"], ours[mode]),
                                                           "version": peers["cached_conv_version"]}
                            ratios.append(row["peers"]["cached_conv"]["ratio"])
                        else:
                            row["peers"]["cached_conv"] = {"absent": True}
                        row["met"] = min(ratios) >= 2 and "cached_conv" in peers
                else:
                    row["peers"]["PyTorch"] = {"absent": True}
                add(row)
        overhead = workload_json(bench, "network-overhead", smoke)
        for block in [1, 64]:
            ns = overhead[f"block{block}"]
            add({"id": f"N overhead {block}", "workload": f"10-node network of almost no arithmetic, stereo, {block}-frame chunks, per chunk",
                 "metric": "ns", "streamconv": ns, "target": "≤ 2,000 ns", "met": ns <= 2000, "peers": {}})

    if wanted("direct"):
        # The direct engine in process: 255-tap FIR GFLOP/s at blocks ≥ 256; per-call overhead.
        fir = workload_json(bench, "fir255", smoke)
        for block in [256, 1024, 4096]:
            t = fir[f"block{block}"]
            add({"id": f"direct {block}", "workload": f"direct engine, 255-tap FIR, stereo, blocks of {block}, in process",
                 "metric": "CPU s", "streamconv": t, "gflops": fir["flops"] / t / 1e9, "rt_factor": fir["frames"] / 48000 / t,
                 "target": "≥ 60 GFLOP/s", "met": fir["flops"] / t / 1e9 >= 60, "peers": {}})
    if wanted("FFT"):
        # The FFT engine's transform beside FFTW's measured plans (bench/fftw_harness.c, built
        # from Debian's libfftw3-dev when present; streamconv never links FFTW).
        ours_fft = workload_json(bench, "fft", smoke)
        fftw = None
        if shutil.which("gcc") and os.path.exists("/usr/include/fftw3.h"):
            harness = os.path.join(work, "fftw_harness")
            built = subprocess.run(["gcc", "-O2", "-o", harness, os.path.join(ROOT, "bench", "fftw_harness.c"), "-lfftw3f"],
                                   capture_output=True, text=True)
            if built.returncode == 0:
                fftw = json.loads(subprocess.run([harness] + (["smoke"] if smoke else []), check=True, capture_output=True, text=True).stdout)
            else:
                log(f"FFTW harness did not build: {built.stderr.strip()[-300:]}")
        # "nM" is the engine's transform pair (spectra kept bit-reversed, the order the engine
        # multiplies in); "natural_nM" the same pair with spectra in natural order, for reference.
        sizes = sorted(int(k[1:]) for k in ours_fft if re.fullmatch(r"n[0-9]+", k))
        for size in sizes:
            key = f"n{size}"
            row = {"id": f"FFT {size}", "workload": f"real FFT of {size} points, forward + inverse, in process",
                   "metric": "ns", "streamconv": ours_fft[key], "target": "≤ FFTW's measured plans (ratio ≥ 1)", "peers": {}}
            if f"natural_{key}" in ours_fft:
                row["natural_order_ns"] = ours_fft[f"natural_{key}"]
            if fftw:
                row["peers"]["FFTW"] = {"seconds": fftw[key], "ratio": ratio(fftw[key], ours_fft[key])}
                row["met"] = fftw[key] >= ours_fft[key]
            else:
                row["peers"]["FFTW"] = {"absent": True}
            add(row)
    if wanted("json"):
        parse = workload_json(bench, "json", smoke)
        add({"id": "json", "workload": f"inline-weight preset, {parse['bytes'] / 1e6:.1f} MB: JSON parse (and the whole preset with Float weights)",
             "metric": "MB/s", "streamconv": parse["parse_mb_per_s"], "preset_mb_per_s": parse["preset_mb_per_s"],
             "target": "(informational; 10× the Character parser's 14–21 MB/s)", "peers": {}})
    if wanted("overhead"):
        overhead = workload_json(bench, "overhead", smoke)["ns_per_call"]
        add({"id": "overhead", "workload": "process() per call, 1-tap stereo, 64-frame blocks", "metric": "ns",
             "streamconv": overhead, "target": "≤ 100 ns", "met": overhead <= 100, "peers": {}})

    if wanted("B5"):
        # B5: peak RSS of run on a long file, against one a tenth as long.
        lengths = [2, 20] if smoke else [360, 3600]
        rss = {}
        for seconds in lengths:
            path = os.path.join(work, f"b5-{seconds}.wav")
            write_float_wav(path, 48000 * seconds, 2, 48000, seed=3)
            result = run_once([streamconv, "run", "--preset", "fir255.json", "--in", path, "--out", "b5-out.wav"], work)
            rss[seconds] = result[2] / 1024
            os.unlink(path)
            os.unlink(os.path.join(work, "b5-out.wav"))
        long, short = lengths[1], lengths[0]
        add({"id": "B5", "workload": f"{long // 60 if long >= 60 else long} {'min' if long >= 60 else 's'} stereo file through run (255 taps, default block)",
             "metric": "peak RSS MiB", "streamconv": rss[long], "short_file": {"seconds": short, "rss_mib": rss[short]},
             "target": "≤ 64 MiB, flat in the length", "met": rss[long] <= 64 and rss[long] <= rss[short] * 1.1 + 1, "peers": {}})


def write_float_wav_samples(path, samples, rate):
    data = array.array("f", samples)
    if sys.byteorder != "little":
        data.byteswap()
    with open(path, "wb") as f:
        f.write(float_wav_header(len(data), 1, rate))
        data.tofile(f)


def read_wav_floats(path):
    """The interleaved samples of a WAV this script wrote."""
    with open(path, "rb") as f:
        blob = f.read()
    at = blob.index(b"data") + 8
    samples = array.array("f")
    samples.frombytes(blob[at:])
    if sys.byteorder != "little":
        samples.byteswap()
    return samples


def print_table(results):
    print(f"streamconv benchmark — {results['machine']['cpu']}, {results['machine']['cores']} cores; "
          f"build: {results['build']}; median of {results['runs']} after a warm-up; "
          f"CPU time: {results['cpu_time']}; probe peak {results['peak_gflops']:.1f} GFLOP/s (one core)")
    print("GFLOP/s: the direct sum's flops (2 per tap per output) over the time; for B2 (FFT engine) a direct-equivalent rate")
    print(f"{'id':<15} {'metric':<13} {'streamconv':>11} {'GFLOP/s':>8} {'% peak':>7} {'RT ×':>8}  {'peers (value, ratio = peer / streamconv)':<44} target")
    for w in results["workloads"]:
        gflops = w.get("gflops")
        peak = f"{100 * gflops / results['peak_gflops']:.0f}%" if gflops and not w.get("equivalent") else ""
        peers = []
        for name, p in w["peers"].items():
            if p.get("absent"):
                peers.append(f"{name}: absent")
            elif p.get("error"):
                peers.append(f"{name}: failed")
            else:
                peers.append(f"{name} {p['seconds']:.3g} ({p['ratio']:.2f}×)")
        met = {True: " — met", False: " — not met"}.get(w.get("met"), "")
        value = w["streamconv"]
        print(f"{w['id']:<15} {w['metric']:<13} {value:>11.4g} {gflops or 0:>8.1f} {peak:>7} {w.get('rt_factor', 0):>8.0f}  {'; '.join(peers):<44} {w['target']}{met}")


if __name__ == "__main__":
    main()
