#!/usr/bin/env python3
"""Speed and memory of the acta parser (``make bench-import``). Not a test.

For every text sample (tests/fixtures/actas and tests/fixtures/generated) and two generated
long actas (10 and 200 pages), each in a fresh process:

* time: seconds per page of ``parse_acta`` in-process, beside the time pdfplumber alone
  needs in the same process to open the file and run ``extract_words`` and
  ``find_tables`` on every page (best of ``--repeat`` interleaved runs after a warm-up of
  each). The ratio is taken on CPU time, so that other load on the machine does not skew
  it; the 10-page target is on wall-clock time;
* memory: peak resident memory (``ru_maxrss``) of another fresh process that only
  imports the parser and parses the file once, and that process's baseline after imports.

Targets (exit status 1 when one is missed):
  parse time <= 1.5 x pdfplumber time (every sample; scans are left out: OCR dominates),
  the 10-page text acta in under 2 s, peak memory under 300 MB for the 200-page file.

    python benchmarks/bench_import.py [--repeat 5] [--only SUBSTRING] [--json OUT]
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = [ROOT / "tests" / "fixtures" / "actas", ROOT / "tests" / "fixtures" / "generated"]
RATIO_MAX = 1.5
TEN_PAGES_MAX_S = 2.0
BIG_PEAK_MAX_MB = 300


# ------------------------------------------------------------------ inside a fresh process
def _pdfplumber_pass(path: str) -> int:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        pages = len(pdf.pages)
        for page in pdf.pages:
            page.extract_words()
            page.find_tables()
            page.close()
    return pages


def _parse(path: str):
    from importers.acta_pdf import parse_acta

    return parse_acta(path)


def _timed(fn, path):
    wall, cpu = time.perf_counter(), time.process_time()
    fn(path)
    return time.perf_counter() - wall, time.process_time() - cpu


def child_time(path: str, repeat: int) -> dict:
    pages = _pdfplumber_pass(path)  # warm-up of both (imports, reference data, caches)
    _parse(path)
    plumber, parse = [], []
    for _ in range(repeat):  # interleaved, so a burst of load elsewhere hits both
        plumber.append(_timed(_pdfplumber_pass, path))
        parse.append(_timed(_parse, path))
    return {"pages": pages, "pdfplumber_s": min(w for w, _ in plumber), "parse_s": min(w for w, _ in parse),
            "pdfplumber_cpu_s": min(c for _, c in plumber), "parse_cpu_s": min(c for _, c in parse)}


def child_memory(path: str) -> dict:
    import pdfplumber  # noqa: F401

    import importers.acta_pdf.parser  # noqa: F401

    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    _parse(path)
    cold = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"baseline_mb": baseline, "peak_mb": peak, "cold_parse_s": cold}


# ------------------------------------------------------------------ driver
def _fresh(*args) -> dict:
    done = subprocess.run([sys.executable, __file__, *args], cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _generator():
    spec = importlib.util.spec_from_file_location("make_variants", SAMPLES[1] / "make_variants.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _long_actas(folder: Path) -> dict[str, Path]:
    """Generated text actas of about 10 and 200 pages."""
    gen = _generator()
    made = {}
    for label, blocks, target in (("10 páginas", 10, 10), ("200 páginas", 200, 200)):
        v = gen.long_variant(blocks=blocks, name=f"bench-{target}")
        pages = gen.write(v, folder)["pages"]
        # adjust once to land near the target page count
        if pages != target:
            v = gen.long_variant(blocks=max(1, round(blocks * target / pages)), name=f"bench-{target}")
            gen.write(v, folder)
        made[label] = folder / f"bench-{target}.pdf"
    return made


def _samples(only: str | None) -> list[Path]:
    out = []
    for folder in SAMPLES:
        manifest = json.loads((folder / "manifest.json").read_text("utf-8"))["files"]
        out += [folder / name for name, entry in sorted(manifest.items()) if entry["kind"] == "text"]
    return [p for p in out if not only or only in p.name]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--only", help="only samples whose name contains this")
    ap.add_argument("--json", dest="json_out", help="write the numbers here")
    a = ap.parse_args(argv)

    rows = []
    missed = []
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        print("generating the long actas…", file=sys.stderr)
        started = time.perf_counter()
        long_actas = _long_actas(Path(tmp))
        print(f"  done in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        cases = [(p.name, p) for p in _samples(a.only)] + [(f"generada, {k}", p) for k, p in long_actas.items()]
        header = (f"{'archivo':<40} {'págs':>4} {'pdfplumber s/pág':>16} {'parse s/pág':>11} {'razón CPU':>9} "
                  f"{'parse s':>8} {'pico MB':>8} {'base MB':>8}")
        print(header)
        print("-" * len(header))
        for label, path in cases:
            repeat = 2 if "200" in label else a.repeat
            t = _fresh("--child-time", str(path), str(repeat))
            m = _fresh("--child-memory", str(path))
            ratio = t["parse_cpu_s"] / t["pdfplumber_cpu_s"] if t["pdfplumber_cpu_s"] else float("inf")
            row = {"file": label, **t, **m, "ratio": ratio}
            rows.append(row)
            print(f"{label:<40} {t['pages']:>4} {t['pdfplumber_s'] / t['pages']:>16.4f} "
                  f"{t['parse_s'] / t['pages']:>11.4f} {ratio:>9.2f} {t['parse_s']:>8.2f} {m['peak_mb']:>8.0f} "
                  f"{m['baseline_mb']:>8.0f}", flush=True)
            if ratio > RATIO_MAX:
                missed.append(f"{label}: parse {ratio:.2f} × pdfplumber (máximo {RATIO_MAX})")
            if label.endswith("10 páginas") and t["parse_s"] >= TEN_PAGES_MAX_S:
                missed.append(f"{label}: {t['parse_s']:.2f} s (máximo {TEN_PAGES_MAX_S} s)")
            if label.endswith("200 páginas") and m["peak_mb"] >= BIG_PEAK_MAX_MB:
                missed.append(f"{label}: pico {m['peak_mb']:.0f} MB (máximo {BIG_PEAK_MAX_MB} MB)")
    print()
    print(f"objetivos: parse <= {RATIO_MAX} × pdfplumber; 10 páginas < {TEN_PAGES_MAX_S} s; "
          f"200 páginas < {BIG_PEAK_MAX_MB} MB de pico")
    for line in missed:
        print(f"NO CUMPLE  {line}")
    if not missed:
        print("todos los objetivos se cumplen")
    if a.json_out:
        Path(a.json_out).write_text(json.dumps({"rows": rows, "missed": missed}, indent=2, ensure_ascii=False))
    return 1 if missed else 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child-time":
        sys.path.insert(0, str(ROOT))
        print(json.dumps(child_time(sys.argv[2], int(sys.argv[3]))))
    elif len(sys.argv) > 1 and sys.argv[1] == "--child-memory":
        sys.path.insert(0, str(ROOT))
        print(json.dumps(child_memory(sys.argv[2])))
    else:
        sys.exit(main())
