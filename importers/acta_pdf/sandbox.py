"""Parse an acta PDF in a child process with limits, so a hostile file cannot hang or kill
the caller (a web worker, the CLI).

    from importers.acta_pdf.sandbox import Limits, run_parse
    result = run_parse("acta.pdf", limits=Limits.from_config(app.config))
    result["acta"]       # the gore-acta/1 document (Acta.to_result())

Two children, each in its own process group with an address-space limit (RLIMIT_AS),
a CPU limit (RLIMIT_CPU) and a wall clock after which the whole group is killed:

1. the *probe* (``probe.py``) checks the file cheaply — PDF or not, encryption, pages,
   page size, decompression bombs, circular forms, glyphs per page — and tells whether
   the PDF has a usable text layer;
2. the *parse* runs ``parse_acta``; when OCR will be needed it gets the OCR budget
   (seconds per page × pages, capped) instead of the normal CPU and wall limits.

A child answers with one JSON object on its stdout: ``{"result": …}`` or
``{"error": {"reason", "page", "message"}}``. Whatever else happens (killed, crashed,
garbage on stdout) becomes an ``ActaParseError`` with a reason code; tracebacks stay in
the debug log. No Flask here: limits come in as arguments.
"""
from __future__ import annotations

import json
import logging
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from .model import REASONS, ActaParseError

log = logging.getLogger(__name__)

_MB = 1024 * 1024
_ROOT = Path(__file__).resolve().parent.parent.parent  # the checkout holding importers/
_MAX_OUTPUT = 64 * _MB


@dataclass(frozen=True)
class Limits:
    """Limits of the parse. Defaults are the app's (``gore_tracker.config``)."""

    max_memory: int = 1024 * _MB     # bytes of address space per process
    cpu_seconds: int = 60
    wall_seconds: int = 90
    max_pages: int = 300
    ocr_seconds_per_page: int = 60
    ocr_max_seconds: int = 900
    max_glyphs: int = 50_000         # characters on one page
    max_page_side: float = 5080.0    # points (72 per inch): about 1.8 m
    max_stream_bytes: int | None = None  # one inflated stream; default a quarter of max_memory

    @property
    def stream_cap(self) -> int:
        return self.max_stream_bytes or self.max_memory // 4

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Limits:
        """From the app settings (PARSE_*, OCR_*); absent keys keep the defaults."""
        keys = {
            "max_memory": "PARSE_MAX_MEMORY", "cpu_seconds": "PARSE_CPU_SECONDS",
            "wall_seconds": "PARSE_WALL_SECONDS", "max_pages": "PARSE_MAX_PAGES",
            "ocr_seconds_per_page": "OCR_SECONDS_PER_PAGE", "ocr_max_seconds": "OCR_MAX_SECONDS",
            "max_glyphs": "PARSE_MAX_GLYPHS", "max_page_side": "PARSE_MAX_PAGE_SIDE",
            "max_stream_bytes": "PARSE_MAX_STREAM_BYTES",
        }
        return cls(**{attr: config[key] for attr, key in keys.items() if config.get(key) is not None})

    def for_ocr(self, pages: int) -> Limits:
        """The OCR budget: seconds per page × pages, capped, never below the normal limits."""
        budget = min(self.ocr_seconds_per_page * max(pages, 1), self.ocr_max_seconds)
        return replace(self, cpu_seconds=max(self.cpu_seconds, budget),
                       wall_seconds=max(self.wall_seconds, budget))


# ------------------------------------------------------------------ parent side
PARSER = "importers.acta_pdf:parse_acta"


def run_parse(path, *, limits: Limits | None = None, options: Mapping[str, Any] | None = None,
              parser: str = PARSER) -> dict:
    """Probe, then parse ``path`` in limited children; return ``Acta.to_result()``.

    The parser gets its own time limits a little inside the child's (``parser_options``),
    so that it stops cleanly, OCR included, before the sandbox has to kill it; ``options``
    are added to them. ``parser`` ("module:function", returning an ``Acta``) is
    ``parse_acta`` unless a test stands in for it. Raises ``ActaParseError``."""
    limits = limits or Limits()
    path = Path(path)
    _check_file(path)
    probed = run_child("probe", path, limits)
    parse_limits = limits.for_ocr(probed["pages"]) if probed.get("needs_ocr") else limits
    return run_child("parse", path, parse_limits, parser=parser,
                     options={**parser_options(parse_limits), **(options or {})})


def parser_options(limits: Limits) -> dict:
    """``parse_acta`` options from the limits: pages, and time limits that end before the
    child's CPU and wall clock do."""
    budget = min(limits.cpu_seconds, limits.wall_seconds)
    inside = float(max(1, int(budget * 0.9) - 2))
    return {"max_pages": limits.max_pages, "timeout": inside, "ocr_timeout": inside,
            "ocr_page_timeout": float(limits.ocr_seconds_per_page)}


def probe_file(path, *, limits: Limits | None = None) -> dict:
    """Only the probe (in its child): ``{"pages", "chars", "needs_ocr"}``."""
    limits = limits or Limits()
    path = Path(path)
    _check_file(path)
    return run_child("probe", path, limits)


def _check_file(path: Path) -> None:
    try:
        if not path.exists():
            raise ActaParseError("failed", None, "No existe el archivo.")
        if path.is_dir():
            raise ActaParseError("failed", None, "Es una carpeta, no un archivo PDF.")
        if path.stat().st_size == 0:
            raise ActaParseError("empty")
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise ActaParseError("failed", None, f"No se pudo abrir el archivo: {exc.strerror}.") from None


def _child_env() -> dict:
    env = dict(os.environ)
    env["OMP_THREAD_LIMIT"] = "1"      # one Tesseract thread per process
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_ROOT), env.get("PYTHONPATH")) if p)
    return env


def run_child(task: str, path: Path, limits: Limits, *, options: dict | None = None,
              parser: str = PARSER) -> dict:
    """Run ``task`` ("probe" or "parse") on ``path`` in a limited child; its result or an
    ``ActaParseError``."""
    request = {"task": task, "path": str(Path(path).resolve()), "limits": asdict(limits),
               "options": options or {}, "parser": parser}
    started = time.monotonic()
    with tempfile.TemporaryFile() as stdin, tempfile.TemporaryFile() as out, \
            tempfile.TemporaryFile() as err:
        stdin.write(json.dumps(request).encode())
        stdin.seek(0)
        # A child's ru_maxrss starts at this process's peak (Linux carries the high-water
        # mark of the forking process across exec), so only a peak above it is the child's.
        inherited = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        proc = subprocess.Popen(
            [sys.executable, "-c", "from importers.acta_pdf.sandbox import child_main; child_main()"],
            stdin=stdin, stdout=out, stderr=err, env=_child_env(), cwd=str(_ROOT),
            start_new_session=True, close_fds=True)
        status, usage, timed_out = _wait(proc, limits.wall_seconds)
        elapsed = time.monotonic() - started
        out.seek(0)
        stdout = out.read(_MAX_OUTPUT)
        err.seek(0)
        stderr = err.read(_MAX_OUTPUT)
    log.debug("acta %s of %s: status %s, %.2fs wall, %.2fs CPU, %d MB peak; stderr: %s",
              task, path, status, elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024,
              stderr.decode("utf-8", "replace")[-4000:])
    if timed_out:
        raise ActaParseError("timeout", None, _limit_message("timeout", f"{limits.wall_seconds} s"))
    answer = _answer(stdout)
    if answer is not None and os.WIFEXITED(status):
        if "error" in answer:
            error = answer["error"] if isinstance(answer["error"], dict) else {}
            reason = error.get("reason") if error.get("reason") in REASONS else "failed"
            page = error.get("page") if isinstance(error.get("page"), int) else None
            message = error.get("message") if isinstance(error.get("message"), str) else None
            raise ActaParseError(reason, page, message)
        if "result" in answer and isinstance(answer["result"], dict):
            return answer["result"]
    raise _death(status, usage, limits, inherited)


def _wait(proc: subprocess.Popen, wall: float):
    """Wait for the child (reaping it with its resource usage); kill its whole process
    group at the wall-clock limit. Returns (status, rusage, timed_out)."""
    deadline = time.monotonic() + wall
    timed_out = False
    delay = 0.005
    try:
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() >= deadline and not timed_out:
                timed_out = True
                _killpg(proc.pid)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(delay)
            delay = min(delay * 2, 0.1)
    except BaseException:
        _killpg(proc.pid)
        proc.wait()
        raise
    proc.returncode = os.waitstatus_to_exitcode(status)
    _killpg(proc.pid)  # grandchildren (ocrmypdf, tesseract) left behind
    return status, usage, timed_out


def _killpg(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _answer(stdout: bytes) -> dict | None:
    try:
        answer = json.loads(stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return answer if isinstance(answer, dict) else None


def _limit_message(reason: str, limit: str) -> str:
    return f"{REASONS[reason][:-1]} (límite: {limit})."


def _death(status: int, usage, limits: Limits, inherited_maxrss: int = 0) -> ActaParseError:
    """Why a child ended without an answer. ``inherited_maxrss`` (KiB) is the parent's peak
    when it started the child: a child peak not above it says nothing about the child."""
    cpu = usage.ru_utime + usage.ru_stime
    memory = f"{limits.max_memory // _MB} MB"
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig == signal.SIGXCPU or (sig == signal.SIGKILL and cpu >= limits.cpu_seconds - 0.5):
            return ActaParseError("timeout", None, _limit_message("timeout", f"{limits.cpu_seconds} s de CPU"))
        own_peak = usage.ru_maxrss if usage.ru_maxrss > inherited_maxrss else 0
        if sig == signal.SIGKILL or own_peak * 1024 >= limits.max_memory * 0.5:
            # the kernel's OOM killer, or a library that aborts when an allocation fails
            return ActaParseError("memory", None, _limit_message("memory", memory))
    elif os.WIFEXITED(status) and os.WEXITSTATUS(status) == _EXIT_MEMORY:
        return ActaParseError("memory", None, _limit_message("memory", memory))
    return ActaParseError("failed")


# ------------------------------------------------------------------ child side
_EXIT_MEMORY = 3


def _set_limits(limits: dict) -> None:
    import resource

    def cap(which, soft, hard):
        _old_soft, old_hard = resource.getrlimit(which)
        if old_hard != resource.RLIM_INFINITY:
            soft, hard = min(soft, old_hard), min(hard, old_hard)
        resource.setrlimit(which, (soft, hard))

    cap(resource.RLIMIT_AS, limits["max_memory"], limits["max_memory"])
    cpu = max(1, int(limits["cpu_seconds"]))
    cap(resource.RLIMIT_CPU, cpu, cpu + 2)   # SIGXCPU, then SIGKILL two seconds later
    cap(resource.RLIMIT_CORE, 0, 0)


def child_main() -> None:
    """Entry point of a child: read the request on stdin, answer one JSON object on stdout."""
    # stdout is the answer channel: keep it for ourselves, send everything else
    # (prints, C libraries, subprocesses) to stderr.
    channel = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    request = json.loads(sys.stdin.buffer.read())
    limits = request["limits"]
    # Prepared before any limit bites, so it can still be written when memory is exhausted.
    memory_answer = json.dumps({"error": {
        "reason": "memory", "page": None,
        "message": _limit_message("memory", f"{limits['max_memory'] // _MB} MB")}}).encode()
    _set_limits(limits)
    try:
        answer = _run(request)
        data = json.dumps(answer, ensure_ascii=False).encode("utf-8")
    except MemoryError:
        data = memory_answer
    try:
        channel.write(data)
        channel.flush()
    except MemoryError:
        os._exit(_EXIT_MEMORY)
    os._exit(0)  # skip interpreter teardown (and any atexit of the libraries)


def _run(request: dict) -> dict:
    import importlib
    import traceback

    from .probe import StreamTooLarge, bomb_error, guard_streams, probe

    limits = Limits(**request["limits"])
    guard = None
    try:
        if request["task"] == "probe":
            return {"result": probe(request["path"], limits).to_dict()}
        guard = guard_streams(limits.stream_cap)
        module, _, name = request.get("parser", PARSER).partition(":")
        parse = getattr(importlib.import_module(module), name)
        acta = parse(request["path"], **request.get("options", {}))
        return {"result": acta.to_result()}
    except StreamTooLarge:
        return {"error": bomb_error(limits.stream_cap).to_dict()}
    except ActaParseError as exc:
        if guard is not None and guard.tripped:  # the parser turned our guard into its own error
            return {"error": bomb_error(limits.stream_cap).to_dict()}
        return {"error": exc.to_dict()}
    except MemoryError:
        raise
    except RecursionError:
        return {"error": ActaParseError("too-complex").to_dict()}
    except Exception:
        traceback.print_exc()
        if guard is not None and guard.tripped:
            return {"error": bomb_error(limits.stream_cap).to_dict()}
        return {"error": ActaParseError("failed").to_dict()}
