"""bench/run.py's cases beyond the generated corpus (issue 25): what users run, each as a ratio to
LibCST's parse of the same files, measured in the same run.

- ``formats``: every output format over the corpus (cold, ``--jobs 1``);
- ``fixes``: a suite with many fixable findings (generated, aio-pika's density: large test classes,
  one fixable finding every ~40 lines), text, JSON and SARIF;
- ``big``: one generated file of ``--big-lines`` lines (default 80,000): time and peak memory;
- ``flake8``: ``flake8 --select ASL`` against ``asynclint check``, both ``--jobs 1``, cold and warm;
- ``file``: one real file (``--file``), from its project's root: text, JSON and SARIF against the parse
  of that file (issue 25's 3,043-line aiohttp file);
- ``lsp``: the language server's time from didChange to the diagnostics of that version, on a
  3,000-line file (pygls, from the test extras).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from corpus import big_file, dense_fixes

Measure = Any  # run.Measure (run.py imports this module: no import cycle)


def parse_spec(spec_type: Any, parse_only: str) -> Any:
    return spec_type("libcst parse_module only", [sys.executable, "-c", parse_only, "."])


def asynclint_argv(*extra: str) -> list[str]:
    return [sys.executable, "-m", "asynclint", "check", ".", "--exit-zero", *extra]


def load() -> str:
    """The 1, 5 and 15 minute load averages (the machine may be shared: figures move with them)."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def table(title: str, results: list[Any], base: Any, note: str = "") -> None:
    """Each run's wall, CPU, CPU over the parse's CPU and peak RSS over the parse's."""
    print(f"\n{title}" + (f" ({note})" if note else "") + f"; load average after: {load()}")
    print(f"{'run':<48} {'wall s':>8} {'CPU s':>8} {'CPU / parse':>12} {'peak RSS MB':>12} {'RSS / parse':>12}")
    for m in results:
        print(f"{m.name:<48} {m.wall:>8.2f} {m.cpu:>8.2f} {m.cpu / base.cpu:>11.2f}x {m.rss_mb:>12.1f} "
              f"{m.rss_mb / base.rss_mb:>11.2f}x")


def formats_specs(spec_type: Any) -> list[Any]:
    from asynclint.output import FORMATS

    return [spec_type(f"asynclint cold --jobs 1, {name} output",
                      asynclint_argv("--no-cache", "--jobs", "1", "--output-format", name))
            for name in sorted(FORMATS) if name != "text"]


def run_fixes(spec_type: Any, measure: Callable[..., list[Any]], parse_only: str, files: int, repeat: int,
              workdir: Path) -> None:
    root = dense_fixes(workdir / "many-fixes", files)
    specs = [parse_spec(spec_type, parse_only)] + [
        spec_type(f"asynclint cold --jobs 1, {name} output",
                  asynclint_argv("--no-cache", "--jobs", "1", "--output-format", name))
        for name in ("text", "json", "sarif")]
    results = measure(specs, root, repeat)
    lines = sum(p.read_text(encoding="utf-8").count("\n") for p in root.rglob("*.py"))
    table(f"many fixable findings: {files} generated test files, {lines} lines", results, results[0],
          "aio-pika's density: large test classes, one fixable finding every ~40 lines")
    text, json_, sarif = results[1:]
    print(f"JSON / text CPU: {json_.cpu / text.cpu:.2f}x, SARIF / text CPU: {sarif.cpu / text.cpu:.2f}x")


PARSE_FILE = """
import sys, time
import libcst
with open(sys.argv[1], encoding="utf-8") as fh:
    text = fh.read()
start = time.process_time()
libcst.parse_module(text)
print(time.process_time() - start)
"""


def run_file(spec_type: Any, measure: Callable[..., list[Any]], path: Path, root: Path, extra: list[str],
             repeat: int) -> None:
    """One real file linted from its project's root (its conftest.py files and source count), each output
    format against LibCST's parse of that file. Issue 25's case: aiohttp's 3,043-line
    ``tests/test_client_functional.py`` at b8689d07: with ``--select ALL``, 154 findings (151 fixable);
    with ``--select ALL --preview`` (``--file-args``), the issue's 160 (157 fixable), and ASL301's
    suite-wide failure index reads the project's every test file and the source they call."""
    shown = str(path.resolve().relative_to(root.resolve()))
    specs = [spec_type("libcst parse_module only (the file)", [sys.executable, "-c", PARSE_FILE, shown])] + [
        spec_type(f"asynclint cold --jobs 1, {name} output",
                  [sys.executable, "-m", "asynclint", "check", "--exit-zero", "--no-cache", "--jobs", "1", *extra,
                   "--output-format", name, shown])
        for name in ("text", "json", "sarif")]
    results = measure(specs, root, repeat)
    lines = path.read_text(encoding="utf-8").count("\n")
    table(f"one real file: {shown} ({lines} lines) in {root}, {' '.join(extra) or 'default selection'}",
          results, results[0])
    text, json_, sarif = results[1:]
    print(f"JSON / text CPU: {json_.cpu / text.cpu:.2f}x, SARIF / text CPU: {sarif.cpu / text.cpu:.2f}x; "
          f"the parse calls alone: {float(results[0].note.split()[0]):.2f} s CPU")


def run_big(spec_type: Any, measure: Callable[..., list[Any]], parse_only: str, lines: int, repeat: int,
            workdir: Path) -> None:
    root = workdir / "big"
    path = big_file(root, lines)
    specs = [parse_spec(spec_type, parse_only),
             spec_type("asynclint cold --jobs 1", asynclint_argv("--no-cache", "--jobs", "1")),
             spec_type("asynclint cold --jobs 1, JSON output",
                       asynclint_argv("--no-cache", "--jobs", "1", "--output-format", "json"))]
    results = measure(specs, root, repeat)
    count = path.read_text(encoding="utf-8").count("\n")
    table(f"one big file: {count} lines", results, results[0], "time and peak memory")


# flake8 runs every plugin it has whatever --select says (pycodestyle, pyflakes, mccabe...): this
# launcher runs it without asynclint's plugin, the floor of the flake8 route on this machine.
FLAKE8_WITHOUT_ASYNCLINT = """
import sys
from flake8.plugins import finder
found = finder.find_plugins
finder.find_plugins = lambda *args, **kwargs: [p for p in found(*args, **kwargs) if p.package != "asynclint"]
from flake8.main.cli import main
sys.exit(main(sys.argv[1:]))
"""


# flake8 with asynclint's plugin timed from the inside: the CPU time of importing the plugin and of
# its run() on every file, printed on stdout (flake8's report goes to /dev/null). That is asynclint's
# share of the flake8 route, measured, not the difference of two runs that each move by 10%.
FLAKE8_PLUGIN_CPU = """
import os, sys, time
start = time.process_time()
from asynclint.integrations import flake8 as plugin
spent = time.process_time() - start
run = plugin.AsyncLintChecker.run
def timed(self):
    global spent
    start = time.process_time()
    found = list(run(self))
    spent += time.process_time() - start
    return iter(found)
plugin.AsyncLintChecker.run = timed
from flake8.main.cli import main
try:
    main([*sys.argv[1:], "--output-file", os.devnull])
finally:
    print(f"{spent:.4f}")
"""


def run_flake8(spec_type: Any, measure: Callable[..., list[Any]], parse_only: str, root: Path, repeat: int) -> None:
    if shutil.which("flake8", path=str(Path(sys.executable).parent)) is None and shutil.which("flake8") is None:
        print("\nflake8: not installed (pip install flake8)")
        return
    cache = root / ".asynclint_cache"
    clear = [sys.executable, "-c", f"import shutil; shutil.rmtree({str(cache)!r}, ignore_errors=True)"]
    flake8 = [sys.executable, "-m", "flake8", "--isolated", "--select", "ASL", "--jobs", "1", "--exit-zero", "."]
    specs = [parse_spec(spec_type, parse_only),
             spec_type("asynclint check --jobs 1, cold (cache filled)", asynclint_argv("--jobs", "1"), before=clear),
             spec_type("asynclint check --jobs 1, warm", asynclint_argv("--jobs", "1")),
             spec_type("flake8 --select ASL --jobs 1, cold (cache filled)", flake8, before=clear),
             spec_type("flake8 --select ASL --jobs 1, warm", flake8),
             spec_type("flake8 alone (asynclint's plugin removed)",
                       [sys.executable, "-c", FLAKE8_WITHOUT_ASYNCLINT, *flake8[3:]])]
    timed = [spec_type("asynclint's plugin inside flake8, cold", [sys.executable, "-c", FLAKE8_PLUGIN_CPU, *flake8[3:]],
                       before=clear),
             spec_type("asynclint's plugin inside flake8, warm", [sys.executable, "-c", FLAKE8_PLUGIN_CPU, *flake8[3:]])]
    # Each warm run follows the cold run that filled the cache: each round runs the specs in order.
    results = measure(specs, root, repeat)
    table("flake8 --select ASL against asynclint check (the same corpus)", results, results[0])
    print(f"flake8 / check: cold {results[3].wall / results[1].wall:.2f}x wall, {results[3].cpu / results[1].cpu:.2f}x "
          f"CPU; warm {results[4].wall / results[2].wall:.2f}x wall, {results[4].cpu / results[2].cpu:.2f}x CPU "
          f"(flake8's own plugins, which --select does not turn off: {results[5].cpu:.2f} s CPU)")
    # The plugin's own CPU, best of the rounds, against check's whole process (start-up included).
    shares: dict[str, list[float]] = {"cold": [], "warm": []}
    for _ in range(repeat):
        for spec, kind in zip(timed, ("cold", "warm")):
            shares[kind] += [float(m.note.split()[-1]) for m in measure([spec], root, 1) if m.note.strip()]
    if shares["cold"] and shares["warm"]:
        cold, warm = min(shares["cold"]), min(shares["warm"])
        print(f"asynclint's share of the flake8 route (its plugin's CPU inside flake8: import + run() on every "
              f"file) / check CPU: cold {cold:.2f} s / {results[1].cpu:.2f} s = {cold / results[1].cpu:.2f}x, "
              f"warm {warm:.2f} s / {results[2].cpu:.2f} s = {warm / results[2].cpu:.2f}x")
    shutil.rmtree(cache, ignore_errors=True)


def _cpu_seconds(pid: int) -> float:
    """A process's user + system CPU time so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _lsp_latency(root: Path, uri: str, text: str, rounds: int) -> list[tuple[float, float]]:
    from lsprotocol import types
    from pygls.lsp.client import LanguageClient

    client = LanguageClient("asynclint-bench", "1")
    published: asyncio.Queue[Any] = asyncio.Queue()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params: Any) -> None:
        published.put_nowait(params)

    async def wait_for(version: int) -> None:
        while True:
            params = await asyncio.wait_for(published.get(), 120)
            if params.uri == uri and params.version == version:
                return

    await client.start_io(sys.executable, "-m", "asynclint", "server", cwd=str(root))
    await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities(),
                                                         root_uri=root.as_uri()))
    client.initialized(types.InitializedParams())
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)))
    await wait_for(1)
    found = []
    for version in range(2, rounds + 2):
        changed = text + f"\n\nasync def test_added_{version}():\n    assert True\n"
        pid = client._server.pid if client._server is not None else 0
        start, cpu = time.perf_counter(), _cpu_seconds(pid)
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=changed)]))
        await wait_for(version)
        found.append((time.perf_counter() - start, _cpu_seconds(pid) - cpu))
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return found


def run_lsp(spec_type: Any, measure: Callable[..., list[Any]], parse_only: str, lines: int, rounds: int,
            workdir: Path) -> None:
    try:
        import pygls  # noqa: F401
    except ImportError:
        print("\nlanguage server: pygls not installed (pip install asynclint[lsp] or the test extras)")
        return
    root = workdir / "lsp"
    path = big_file(root, lines, name="test_edited.py")
    parse = measure([parse_spec(spec_type, parse_only)], root, 1)[0]
    text = path.read_text(encoding="utf-8")
    measured = asyncio.run(_lsp_latency(root, path.as_uri(), text, rounds))
    latencies, cpus = [wall for wall, _ in measured], [cpu for _, cpu in measured]
    pure = float(parse.note.split()[0])
    print(f"\nlanguage server, didChange to diagnostics, {text.count(chr(10))}-line file, {rounds} edits: "
          f"wall best {min(latencies):.3f} s, median {statistics.median(latencies):.3f} s; "
          f"server CPU median {statistics.median(cpus):.3f} s "
          f"(LibCST's parse of the file: {pure:.3f} s CPU; server CPU / parse {statistics.median(cpus) / pure:.2f}x); "
          f"load average: {load()}")


__all__ = ["formats_specs", "run_big", "run_file", "run_fixes", "run_flake8", "run_lsp"]
