"""Hostile PDFs (built in tmp, see hostile.py) end with exit 2 and their own message, through
`flask actas parse` in the CLI runner and in a real process, within small limits.

And behind the probe: the parse child alone (as if the probe had missed them) still ends
each one with an error instead of hanging or exhausting the machine."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from importers.acta_pdf import REASONS, ActaParseError
from importers.acta_pdf.sandbox import Limits, run_child, run_parse
from tests.importers import hostile

pytestmark = pytest.mark.slow  # each builds a hostile file and runs the sandbox on it

ROOT = Path(__file__).resolve().parent.parent.parent
MEMORY = 512 * 1024 * 1024
SMALL = {"PARSE_MAX_MEMORY": MEMORY, "PARSE_CPU_SECONDS": 20, "PARSE_WALL_SECONDS": 30}

# name -> (builder, reason, words of its message)
CASES = {
    "bomb": (hostile.bomb, "bomb", "comprimidos anormalmente grandes"),
    "glyphs": (hostile.glyph_flood, "too-complex", "caracteres en una página"),
    "form-self": (hostile.circular_self, "circular", "formulario circulares"),
    "form-pair": (hostile.circular_pair, "circular", "formulario circulares"),
    "form-laughs": (hostile.form_laughs, "too-complex", "se dibujan más de"),
    "pages": (hostile.many_pages, "too-many-pages", "demasiadas páginas: 320; el máximo es 300"),
    "giant": (hostile.giant_page, "page-too-large", "14 400 × 14 400 puntos"),
    "giant-userunit": (lambda p: hostile.giant_page(p, side=600, user_unit=40), "page-too-large",
                       "24 000 × 24 000 puntos"),
    "not-pdf": (hostile.not_a_pdf, "not-pdf", "no es un PDF"),
}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    return {name: builder(folder / f"{name}.pdf") for name, (builder, _r, _w) in CASES.items()}


def test_the_bomb_really_inflates_to_gigabytes(files):
    import zlib

    data = files["bomb"].read_bytes()
    assert len(data) < 8 * 1024 * 1024
    start = data.index(b"stream\n") + len(b"stream\n")
    d = zlib.decompressobj()
    total = 0
    chunk = d.decompress(data[start:], 1 << 24)
    while chunk:
        total += len(chunk)
        if total > 2 * 1024 ** 3:
            break
        chunk = d.decompress(d.unconsumed_tail, 1 << 24)
    assert total > 2 * 1024 ** 3


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_file_ends_with_its_reason(files, name):
    limits = Limits(max_memory=MEMORY, cpu_seconds=20, wall_seconds=30)
    with pytest.raises(ActaParseError) as caught:
        run_parse(files[name], limits=limits)
    assert (caught.value.reason, CASES[name][2] in caught.value.message) == (CASES[name][1], True)


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_file_exits_2_with_its_message(app, runner, files, name):
    app.config.update(SMALL)
    result = runner.invoke(args=["actas", "parse", str(files[name])])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert CASES[name][2] in lines[0]
    assert "Traceback" not in result.output


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_file_in_a_real_process(tmp_path, files, name):
    env = {**os.environ, "FLASK_APP": "wsgi", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
           "FILES_DIR": str(tmp_path / "files"), **{k: str(v) for k, v in SMALL.items()}}
    # timeout: a guard against a hang of the test itself, far above the limits
    done = subprocess.run([sys.executable, "-m", "flask", "actas", "parse", str(files[name])], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert CASES[name][2] in done.stderr
    assert "Traceback" not in done.stderr


def _real_parser():
    try:
        import importers.acta_pdf.parser  # noqa: F401
    except ImportError:
        pytest.skip("importers.acta_pdf.parser not written yet")


@pytest.mark.parametrize("name", sorted(set(CASES) - {"not-pdf"}))
def test_without_the_probe_the_parse_child_still_ends_each_one(files, name):
    """Defence in depth: the real parser on each hostile file, with no probe in front,
    under the same small limits, ends in an error (the limits, the stream guard or the
    parser's own checks) rather than a hang or a crash of the caller."""
    _real_parser()
    limits = Limits(max_memory=MEMORY, cpu_seconds=20, wall_seconds=30)
    with pytest.raises(ActaParseError) as caught:
        run_child("parse", files[name], limits)
    assert caught.value.reason in REASONS
    if name == "bomb":
        assert caught.value.reason in ("bomb", "memory")
