"""Time wslint against ruff, flake8 (+ flake8-async) and pylint, in one run, on the same inputs.

Inputs: (a) a copy of the running Python's standard library (``site-packages`` excluded; the
copy lives in a temporary folder so no tool sees a surrounding ``.gitignore`` or config), and
(b) the worst-case corpus of :mod:`bench.corpus` at N and 2N modules.

Each measurement runs the tool as a child process, with the input folder as its working
directory and ``.`` as its argument, and reads the child's ``wait4`` resource usage: wall time,
CPU time (user + sys, the child and the processes it waited for) and peak memory (the largest
resident set among them; not a sum over worker processes). The median of ``--repeat`` runs is
reported; the runs on one input are taken in rounds, every row once per round, every other
round in reverse order (:func:`measure_rounds`), so the rows a ratio compares see the same
machine. The targets of the speed issue are checked at the end, PASS or FAIL each.

Usage::

    python -m bench                 # full run: stdlib, corpus of 1000 and 2000 modules, 3 repeats
    python -m bench --quick         # smoke run: 10/20 modules, a slice of the stdlib, 1 repeat
    python bench/run.py --repeat 5 --modules 1000 --json results.json
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as ``python bench/run.py``
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench import client_corpus
    from bench.corpus import generate
else:
    from . import client_corpus
    from .corpus import generate

MIB = 1024 * 1024

# ``python -c FLAKE8_WITH PACKAGES ARGS...``: flake8 with only the plugins of PACKAGES loaded
# (flake8's own reporters always).
FLAKE8_WITH = """
import sys
import flake8.plugins.finder as finder
keep = {"flake8", *sys.argv[1].split(",")}
found = finder._find_importlib_plugins
finder._find_importlib_plugins = lambda: (p for p in found() if p.package in keep)
from flake8.main.cli import main
sys.exit(main(sys.argv[2:]))
"""
TOOLS = ("wslint", "ruff", "flake8", "pylint")


@dataclass
class Measure:
    target: str  # "stdlib", "corpus-1000", ...
    label: str  # the row's name
    command: list[str]
    wall: float = 0.0
    cpu: float = 0.0
    rss_mib: float = 0.0
    runs: list[dict] = field(default_factory=list)
    returncode: int = 0
    error: str = ""


def run_once(command: list[str], cwd: Path, timeout: float) -> dict:
    """Run ``command`` once; its wall time, CPU time and peak RSS (via ``wait4``)."""
    with tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=stderr, env=_env())
        killer = threading.Timer(timeout, process.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            killer.cancel()
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        stderr.seek(0)
        text = stderr.read().decode("utf-8", "replace")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mib": usage.ru_maxrss * 1024 / MIB,  # ru_maxrss is in KiB on Linux
        "returncode": process.returncode,
        "stderr": text[-2000:],
        "timed_out": wall >= timeout,
    }


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env["NO_COLOR"] = "1"
    return env


@dataclass
class Row:
    """One measurement to take on an input: its command and how many runs."""

    label: str
    command: list[str]
    repeat: int
    warmup: bool = False  # one untimed run first (the warm cache)


def measure_rounds(
    target: str, rows: list[Row], cwd: Path, timeout: float, ok_codes: tuple[int, ...] = (0, 1), log=print
) -> list[Measure]:
    """The median of each row's runs, taken in rounds: each round runs every row once (those
    with runs left), every other round in reverse order (A B, B A, A B...). This machine's speed
    drifts within a run; rows compared in a ratio see the same drift this way (in A B B A, a
    steady drift weighs on both alike), instead of the later row taking all of it."""
    results = {row.label: Measure(target, row.label, row.command) for row in rows}
    for row in rows:
        if row.warmup:
            run_once(row.command, cwd, timeout)
    for number in range(max((row.repeat for row in rows), default=0)):
        turn = rows if number % 2 == 0 else rows[::-1]
        for row in turn:
            result = results[row.label]
            if len(result.runs) < row.repeat and not result.error:
                _record(result, run_once(row.command, cwd, timeout), timeout, ok_codes)
    for result in results.values():
        _summarise(result)
        status = f"  [{result.error}]" if result.error else ""
        log(
            f"  {target:<12} {result.label:<34} wall {result.wall:8.2f} s  cpu {result.cpu:8.2f} s"
            f"  rss {result.rss_mib:7.1f} MiB{status}",
            flush=True,
        )
    return list(results.values())


def _record(result: Measure, run: dict, timeout: float, ok_codes: tuple[int, ...]) -> None:
    result.runs.append({k: run[k] for k in ("wall", "cpu", "rss_mib", "returncode")})
    result.returncode = run["returncode"]
    if run["timed_out"] or run["returncode"] not in ok_codes:
        result.error = (
            f"timed out after {timeout:.0f} s"
            if run["timed_out"]
            else f"exit {run['returncode']}: {run['stderr'].strip().splitlines()[-1:]}"
        )


def _summarise(result: Measure) -> None:
    if result.runs:
        result.wall = statistics.median(r["wall"] for r in result.runs)
        result.cpu = statistics.median(r["cpu"] for r in result.runs)
        result.rss_mib = statistics.median(r["rss_mib"] for r in result.runs)


def copy_stdlib(dest: Path, limit: int | None = None) -> tuple[Path, int, int]:
    """Copy the running Python's standard library (``.py`` files only, no site-packages)."""
    import sysconfig

    source = Path(sysconfig.get_paths()["stdlib"])
    root = dest / f"python{sys.version_info.major}.{sys.version_info.minor}"
    files = lines = 0
    for path in sorted(source.rglob("*.py")):
        relative = path.relative_to(source)
        if relative.parts[0] in ("site-packages", "dist-packages") or "__pycache__" in relative.parts:
            continue
        if limit is not None and files >= limit:
            break
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        files += 1
        with open(path, "rb") as handle:
            lines += handle.read().count(b"\n")
    return root, files, lines


def executable(tool: str) -> str:
    """The tool's console script beside the running interpreter, else its name (found on the
    PATH). Version managers put shims first on the PATH (pyenv's is a shell script that runs
    ``pyenv exec``): 0.05-0.1 s more per start, a third of a warm wslint run or of ruff's."""
    script = Path(sysconfig.get_path("scripts")) / tool
    return str(script) if script.is_file() and os.access(script, os.X_OK) else tool


def available(tool: str) -> bool:
    if tool == "flake8-async":
        try:
            out = subprocess.run(["flake8", "--version"], capture_output=True, text=True, check=False)
        except OSError:
            return False
        return "flake8-async" in out.stdout
    return shutil.which(executable(tool)) is not None


def commands(tools: set[str], jobs: int, cache_dir: Path) -> dict[str, list[tuple[str, list[str], dict]]]:
    """Rows per kind of input: (label, command, measure options)."""
    wslint_cold = [executable("wslint"), "--no-cache", "--exit-zero", "--jobs", str(jobs), "."]
    rows: dict[str, list[tuple[str, list[str], dict]]] = {"all": [], "corpus": []}
    if "wslint" in tools:
        rows["all"].append((f"wslint cold (--jobs {jobs})", wslint_cold, {}))
        rows["all"].append(
            (
                f"wslint warm (--jobs {jobs})",
                [
                    executable("wslint"),
                    "--exit-zero",
                    "--cache-dir",
                    str(cache_dir),
                    "--jobs",
                    str(jobs),
                    ".",
                ],
                {"warmup": True},
            )
        )
        if jobs != 1:
            rows["all"].append(("wslint cold (--jobs 1)", [*wslint_cold[:3], "--jobs", "1", "."], {}))
    if "ruff" in tools and available("ruff"):
        rows["all"].append(
            (
                "ruff ASYNC,RUF006",
                [
                    executable("ruff"),
                    "check",
                    "--no-cache",
                    "--select",
                    "ASYNC,RUF006",
                    "--exit-zero",
                    "--quiet",
                    ".",
                ],
                {},
            )
        )
    if "flake8" in tools and available("flake8"):
        # flake8 runs every installed plugin whatever --select says, so each row loads only the
        # plugins it names (pyflakes + pycodestyle = E,W,F; wslint = WSL; flake8-async = ASYNC).
        def flake8(plugins: str, select: str) -> list[str]:
            return [
                sys.executable,
                "-c",
                FLAKE8_WITH,
                plugins,
                "--jobs",
                str(jobs),
                "--exit-zero",
                "--output-file",
                os.devnull,
                "--select",
                select,
                ".",
            ]

        if available("flake8-async"):
            rows["all"].append(
                (
                    "flake8 ASYNC (flake8-async)",
                    flake8("flake8-async", "ASYNC"),
                    {"slow_peer": True},
                )
            )
        rows["all"].append(("flake8 E,W,F", flake8("pyflakes,pycodestyle", "E,W,F"), {"peer": True}))
        rows["all"].append(
            ("flake8 E,W,F,WSL", flake8("pyflakes,pycodestyle,wslint", "E,W,F,WSL"), {"peer": True})
        )
    if "pylint" in tools and available("pylint"):
        rows["all"].append(
            (
                "pylint unused-import",
                [
                    executable("pylint"),
                    "--disable=all",
                    "--enable=unused-import",
                    f"--jobs={jobs}",
                    "--recursive=y",
                    "--exit-zero",
                    "--score=n",
                    "--persistent=n",
                    ".",
                ],
                {"peer": True},
            )
        )
    return rows


def find(results: list[Measure], target: str, label_start: str) -> Measure | None:
    for result in results:
        if result.target == target and result.label.startswith(label_start) and not result.error:
            return result
    return None


def check_targets(
    results: list[Measure], jobs: int, small: str, large: str, client: str | None = None
) -> list[tuple[str, str, str]]:
    """(target, measured, PASS/FAIL/SKIP) for each target of the speed issue."""
    checks: list[tuple[str, str, str]] = []

    def ratio(
        name: str,
        numerator: Measure | None,
        denominator: Measure | None,
        limit: float,
        at_most: bool,
        fmt: str = "{:.2f}x",
    ) -> None:
        if numerator is None or denominator is None or denominator.wall == 0:
            checks.append((name, "not measured", "SKIP"))
            return
        value = numerator.wall / denominator.wall
        ok = value <= limit if at_most else value >= limit
        checks.append((name, fmt.format(value), "PASS" if ok else "FAIL"))

    cold = f"wslint cold (--jobs {jobs})"
    ratio(
        "stdlib cold: wslint <= 1.0 x ruff",
        find(results, "stdlib", cold),
        find(results, "stdlib", "ruff"),
        1.0,
        True,
    )
    ratio(
        "stdlib warm: wslint <= 0.5 x ruff",
        find(results, "stdlib", "wslint warm"),
        find(results, "stdlib", "ruff"),
        0.5,
        True,
    )
    ratio(
        f"{small}: pylint / wslint >= 5",
        find(results, small, "pylint"),
        find(results, small, cold),
        5.0,
        False,
    )
    ratio(
        f"linear: {large} / {small} <= 2.1",
        find(results, large, cold),
        find(results, small, cold),
        2.1,
        True,
    )
    ratio(
        f"{small}: --jobs 1 / --jobs {jobs} >= 1.7",
        find(results, small, "wslint cold (--jobs 1)"),
        find(results, small, cold),
        1.7,
        False,
    )
    ratio(
        "stdlib: flake8 E,W,F,WSL <= 1.05 x E,W,F",
        find(results, "stdlib", "flake8 E,W,F,WSL"),
        find(results, "stdlib", "flake8 E,W,F"),
        1.05,
        True,
    )
    if client is not None:
        ratio(
            f"{client}: wslint <= 2.0 x ast.parse of as many Python files",
            find(results, client, "wslint cold (client files)"),
            find(results, client, "ast.parse"),
            2.0,
            True,
        )
    memory = find(results, "stdlib", cold)
    if memory is None:
        checks.append(("stdlib peak memory <= 150 MiB", "not measured", "SKIP"))
    else:
        checks.append(
            (
                "stdlib peak memory <= 150 MiB",
                f"{memory.rss_mib:.0f} MiB",
                "PASS" if memory.rss_mib <= 150 else "FAIL",
            )
        )
    return checks


def table(results: list[Measure], inputs: dict[str, str]) -> str:
    """A Markdown table: one row per measurement, with wslint's cold time as the ratio base."""
    lines = [
        "| input | tool | wall (s) | CPU (s) | peak RSS (MiB) | wall / wslint cold |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for target in inputs:
        rows = [r for r in results if r.target == target]
        base = next((r for r in rows if r.label.startswith("wslint cold") and not r.error), None)
        for r in rows:
            if r.error:
                lines.append(f"| {target} | {r.label} | – | – | – | {r.error} |")
                continue
            rel = f"{r.wall / base.wall:.2f}x" if base and base.wall else "–"
            lines.append(f"| {target} | {r.label} | {r.wall:.2f} | {r.cpu:.2f} | {r.rss_mib:.0f} | {rel} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--modules", type=int, default=1000, help="corpus size N (N and 2N are run)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes per tool")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--tools", default=",".join(TOOLS), help="comma-separated subset of " + ",".join(TOOLS)
    )
    parser.add_argument("--no-stdlib", action="store_true", help="skip the standard library")
    parser.add_argument("--stdlib-limit", type=int, default=None, help="copy only the first K stdlib files")
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 10/20 modules, 60 stdlib files, 1 repeat"
    )
    parser.add_argument(
        "--peer-repeat",
        type=int,
        default=None,
        help="runs per measurement of pylint and flake8 (default: --repeat)",
    )
    parser.add_argument(
        "--slow-peers-everywhere",
        action="store_true",
        help="run flake8-async (libcst-based, ~1 ms per line) on the stdlib too, "
        "not only on the N-module corpus",
    )
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per tool run")
    parser.add_argument(
        "--workdir", type=Path, default=None, help="keep the inputs here (default: a temp dir)"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the results as JSON")
    parser.add_argument(
        "--no-client", action="store_true", help="skip the client files (wslint's JavaScript / TypeScript)"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.modules, args.repeat = 10, 1
        args.stdlib_limit = args.stdlib_limit or 60
    if args.peer_repeat is None or args.quick:
        args.peer_repeat = args.repeat
    tools = {t.strip() for t in args.tools.split(",") if t.strip()}
    unknown = tools - set(TOOLS)
    if unknown:
        parser.error(f"unknown tools: {', '.join(sorted(unknown))}")

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="wslint-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    keep = args.workdir is not None
    try:
        return _run(args, tools, workdir)
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)


def _compile_wslint() -> None:
    """Write wslint's bytecode, as installing a wheel does.

    An editable install under ``PYTHONDONTWRITEBYTECODE`` would otherwise compile every module
    of wslint at each start, which no installed copy does (the peers' bytecode is written when
    pip installs them).
    """
    import compileall

    import wslint

    compileall.compile_dir(str(Path(wslint.__file__).parent), quiet=1)


def _run(args: argparse.Namespace, tools: set[str], workdir: Path) -> int:
    started = datetime.datetime.now()
    versions = _versions(tools)
    print(
        f"wslint bench {started:%Y-%m-%d %H:%M}  Python {platform.python_version()}"
        f"  {os.cpu_count()} cores  {platform.machine()} {platform.system()}"
    )
    print("  " + "  ".join(f"{k} {v}" for k, v in versions.items()))
    if "wslint" in tools:
        _compile_wslint()
    missing = [t for t in sorted(tools) if t != "wslint" and not available(t)]
    if missing:
        print(f"  not installed, skipped: {', '.join(missing)} (pip install -e '.[bench]')")

    inputs: dict[str, tuple[Path, str]] = {}
    if not args.no_stdlib:
        root, files, lines = copy_stdlib(workdir / "stdlib", args.stdlib_limit)
        inputs["stdlib"] = (root, f"{files} files, {lines:,} lines")
    small, large = f"corpus-{args.modules}", f"corpus-{2 * args.modules}"
    for n, name in ((args.modules, small), (2 * args.modules, large)):
        corpus = generate(workdir / name, n, seed=args.seed)
        inputs[name] = (corpus.root, f"{len(corpus.files)} files, {corpus.lines:,} lines")
    for name, (path, about) in inputs.items():
        print(f"  input {name}: {about}  ({path})")

    rows = commands(tools, args.jobs, workdir / "wslint-cache")
    results: list[Measure] = []
    for name, (path, _) in inputs.items():
        cache = workdir / "wslint-cache"
        shutil.rmtree(cache, ignore_errors=True)
        measured: list[Row] = []
        for label, command, options in rows["all"]:
            options = dict(options)
            peer, slow = (options.pop(k, False) for k in ("peer", "slow_peer"))
            if name == large and ("warm" in label or peer or slow):
                continue  # the large corpus is for linearity: wslint cold (and ruff, cheap)
            if slow and name != small and not args.slow_peers_everywhere:
                continue
            # A slow peer is there to be seen, compared with no target: one run (minutes each).
            repeat = 1 if slow else args.peer_repeat if peer else args.repeat
            measured.append(Row(label, command, repeat, **options))
        results += measure_rounds(name, measured, path, args.timeout)
    client = f"client-{args.modules}"
    if "wslint" in tools and not args.no_client:
        results += _client_run(args, workdir, inputs[small][0], inputs)

    print()
    md = table(results, {k: v for k, v in inputs.items()})
    print(md)
    print()
    for name in inputs:
        base = find(results, name, f"wslint cold (--jobs {args.jobs})")
        if base is None:
            continue
        peers = [r for r in results if r.target == name and not r.label.startswith("wslint") and not r.error]
        if peers:
            print(f"{name}: " + ", ".join(f"{r.label} = {r.wall / base.wall:.2f}x wslint" for r in peers))
    print()
    checks = check_targets(results, args.jobs, small, large, client)
    width = max(len(c[0]) for c in checks)
    for name, value, verdict in checks:
        print(f"{verdict:4}  {name:<{width}}  {value}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "date": started.isoformat(timespec="minutes"),
                    "python": platform.python_version(),
                    "cores": os.cpu_count(),
                    "versions": versions,
                    "inputs": {k: v[1] for k, v in inputs.items()},
                    "command": " ".join(["python -m bench", *(sys.argv[1:] if sys.argv else [])]),
                    "results": [asdict(r) for r in results],
                    "targets": [{"target": c[0], "measured": c[1], "verdict": c[2]} for c in checks],
                    "table": md,
                },
                indent=2,
            )
        )
    errors = [r for r in results if r.error]
    return 1 if any(r.label.startswith("wslint") for r in errors) else 0


# ``python -c AST_PARSE DIR N``: ``ast.parse`` on the first N Python files under DIR.
AST_PARSE = (
    "import ast, pathlib, sys\n"
    "files = sorted(pathlib.Path(sys.argv[1]).rglob('*.py'))[: int(sys.argv[2])]\n"
    "for path in files:\n"
    "    ast.parse(path.read_bytes())\n"
)


def _client_run(
    args: argparse.Namespace, workdir: Path, python_root: Path, inputs: dict[str, tuple[Path, str]]
) -> list[Measure]:
    """wslint on N generated client files, against ``ast.parse`` on N Python files of the
    corpus, in the same rounds."""
    n = args.modules
    corpus = client_corpus.generate(workdir / f"client-{n}", n, seed=args.seed)
    name = f"client-{n}"
    inputs[name] = (corpus.root, f"{len(corpus.files)} client files, {corpus.lines:,} lines")
    print(f"  input {name}: {inputs[name][1]}  ({corpus.root})")
    wslint = [executable("wslint"), "--no-cache", "--exit-zero", "."]
    parse = [sys.executable, "-c", AST_PARSE, str(python_root), str(n)]
    rows = [
        Row("wslint cold (client files)", wslint, args.repeat),
        Row(f"ast.parse ({n} Python files)", parse, args.repeat),
    ]
    return measure_rounds(name, rows, corpus.root, args.timeout)


def _versions(tools: set[str]) -> dict[str, str]:
    from importlib import metadata

    versions = {}
    for tool, dist in (
        ("wslint", "wslint"),
        ("ruff", "ruff"),
        ("flake8", "flake8"),
        ("flake8", "flake8-async"),
        ("pylint", "pylint"),
        ("pylint", "astroid"),
    ):
        if tool in tools:
            try:
                versions[dist] = metadata.version(dist)
            except metadata.PackageNotFoundError:
                pass
    return versions


if __name__ == "__main__":
    sys.exit(main())
