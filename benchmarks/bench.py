"""harvester against raw git on the same range: wall time ratio and peak memory.

    python benchmarks/bench.py --repo PATH --range BASE..HEAD [--runs 5]
    python benchmarks/bench.py --synthetic [--workdir DIR]     # 500/1,000/2,000/5,000 commits
    python benchmarks/bench.py --smoke                          # a small synthetic range (CI)

The raw git work is what any such report needs: `git log` with the fields and options harvester
uses, `git diff -M --numstat -z` and `git diff -M --name-status -z`. Runs are interleaved
(harvester cold, harvester warm, git, …) so machine noise hits all; medians are reported.
"Cold" runs with `--no-cache`; "warm" reuses the parse cache of an earlier run on the same range
(a private cache folder, never the user's). Peak memory is harvester's maximum resident set.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "fixtures")]

from harvester.gitsource.log import log_args  # noqa: E402
from harvester.gitsource.runner import DIFF_SAFETY  # noqa: E402

SYNTHETIC_RANGES = (("v9..v10", 500), ("v8..v10", 1000), ("v6..v10", 2000), ("v0..v10", 4999))


@dataclass(frozen=True)
class Run:
    """One command's wall seconds, CPU seconds (its own and its children's, git's included)
    and peak resident megabytes."""

    wall_s: float
    cpu_s: float
    peak_mb: float


@dataclass(frozen=True)
class Measure:
    """Medians of one range."""

    label: str
    commits: int
    cold_s: float
    warm_s: float
    git_s: float
    peak_mb: float
    cold_cpu_s: float
    git_cpu_s: float

    @property
    def cold_ratio(self) -> float:
        """harvester's time without its cache over raw git's."""
        return self.cold_s / self.git_s

    @property
    def warm_ratio(self) -> float:
        """harvester's time with a warm cache over raw git's."""
        return self.warm_s / self.git_s


def _run(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Wall and CPU seconds and peak resident megabytes of one command."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    assert process.stderr is not None
    error = process.stderr.read().decode("utf-8", "replace")
    process.stderr.close()
    if os.waitstatus_to_exitcode(status) not in (0, 3):
        raise SystemExit(f"{' '.join(command)} failed: {error.strip()}")
    return Run(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def _git_work(repo: Path, base: str, head: str) -> Run:
    base_sha, head_sha = (
        subprocess.run(
            ["git", "-C", str(repo), "rev-parse", f"{ref}^{{commit}}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for ref in (base, head)
    )
    runs = []
    for args in (
        log_args(base_sha, head_sha),
        ["diff", "-z", "-M", "--numstat", *DIFF_SAFETY, base_sha, head_sha],
        ["diff", "-z", "-M", "--name-status", *DIFF_SAFETY, base_sha, head_sha],
    ):
        runs.append(_run(["git", "-C", str(repo), *args]))
    return Run(
        sum(r.wall_s for r in runs), sum(r.cpu_s for r in runs), max(r.peak_mb for r in runs)
    )


def _compile_harvester() -> None:
    """Byte-compile harvester as `pip install` does, so that runs from a checkout (where
    PYTHONDONTWRITEBYTECODE may be set) do not compile every module on every start."""
    compileall.compile_dir(ROOT / "harvester", quiet=1)


def measure(repo: Path, span: str, runs: int, label: str | None = None) -> Measure:
    """Interleaved runs of harvester and of the raw git work on `span`."""
    base, _, head = span.partition("..")
    harvester = [
        sys.executable,
        "-m",
        "harvester",
        "report",
        "--repo",
        str(repo),
        span,
        "--format",
        "json",
    ]
    cache = tempfile.mkdtemp(prefix="harvester-bench-cache-")
    env = {**os.environ, "HARVESTER_CACHE_DIR": cache}
    cold: list[Run] = []
    warm: list[Run] = []
    git: list[Run] = []
    _run(harvester, cwd=ROOT, env=env)  # warms the page cache and the parse cache
    _git_work(repo, base, head or "HEAD")
    for _ in range(runs):
        cold.append(_run([*harvester, "--no-cache"], cwd=ROOT, env=env))
        warm.append(_run(harvester, cwd=ROOT, env=env))
        git.append(_git_work(repo, base, head or "HEAD"))
    shutil.rmtree(cache, ignore_errors=True)
    commits = int(
        subprocess.run(
            ["git", "-C", str(repo), "rev-list", "--count", span],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    return Measure(
        label or span,
        commits,
        statistics.median(r.wall_s for r in cold),
        statistics.median(r.wall_s for r in warm),
        statistics.median(r.wall_s for r in git),
        max(r.peak_mb for r in cold + warm),
        statistics.median(r.cpu_s for r in cold),
        statistics.median(r.cpu_s for r in git),
    )


def startup(repo: Path, span: str, runs: int) -> tuple[float, float]:
    """Median seconds of `harvester --version` and of a report on a small range."""
    version = [
        _run([sys.executable, "-m", "harvester", "--version"], cwd=ROOT).wall_s for _ in range(runs)
    ]
    small = [
        _run(
            [sys.executable, "-m", "harvester", "report", "--repo", str(repo), span], cwd=ROOT
        ).wall_s
        for _ in range(runs)
    ]
    return statistics.median(version), statistics.median(small)


def _synthetic(
    workdir: Path, commits: int = 5000, paths: int = 20000, migrations: int = 400
) -> Path:
    from synthetic_repo import build

    path = workdir / f"synthetic-{commits}-{paths}-{migrations}"
    if not (path / ".git").exists():
        print(f"building the synthetic repository in {path} …", file=sys.stderr)
        build(path, commits, paths, migrations)
    return path


def _print(measures: list[Measure]) -> None:
    print(
        f"{'range':<22}{'commits':>8}{'raw git s':>10}{'cold s':>8}{'ratio':>7}"
        f"{'warm s':>8}{'ratio':>7}{'peak MB':>9}{'git cpu s':>10}{'cold cpu s':>11}"
    )
    for m in measures:
        print(
            f"{m.label:<22}{m.commits:>8,}{m.git_s:>10.2f}{m.cold_s:>8.2f}{m.cold_ratio:>6.2f}x"
            f"{m.warm_s:>8.2f}{m.warm_ratio:>6.2f}x{m.peak_mb:>9.0f}{m.git_cpu_s:>10.2f}"
            f"{m.cold_cpu_s:>11.2f}"
        )
    print(
        f"CPUs: {os.cpu_count()}. CPU seconds include git's. A run cannot take less wall time "
        "than its CPU seconds divided by the CPUs it can use."
    )


def main(argv: list[str]) -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path)
    parser.add_argument("--range", dest="span")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--synthetic", action="store_true")
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.gettempdir()) / "harvester-bench"
    workdir.mkdir(parents=True, exist_ok=True)
    _compile_harvester()
    if args.smoke:
        repo = _synthetic(workdir, commits=600, paths=800, migrations=30)
        _print([measure(repo, "v0..v1", 1)])
        return
    if args.synthetic:
        repo = _synthetic(workdir)
        _print(
            [measure(repo, span, args.runs, f"synthetic {span}") for span, _ in SYNTHETIC_RANGES]
        )
        version, small = startup(repo, "v10~10..v10", args.runs)
        print(
            f"harvester --version {version * 1000:.0f} ms; report on 10 commits "
            f"{small * 1000:.0f} ms"
        )
        return
    if not (args.repo and args.span):
        parser.error("give --repo and --range, or --synthetic, or --smoke")
    _print([measure(args.repo, args.span, args.runs)])


if __name__ == "__main__":
    main(sys.argv[1:])
