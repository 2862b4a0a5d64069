"""OCR of scanned actas with OCRmyPDF + Tesseract (Spanish), one thread, bounded in time.

OCRmyPDF runs as a child process in its own process group, so that a timeout ends it and
every helper it started (tesseract, ghostscript) — and nothing else.
"""
from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
from pathlib import Path

from .model import ActaParseError

INSTALL_HINT = "Instálelo con: apt-get install ocrmypdf tesseract-ocr-spa"


@functools.lru_cache(maxsize=1)
def ocr_status() -> str | None:
    """None when OCR can run; otherwise a Spanish explanation of what is missing."""
    if not shutil.which("ocrmypdf"):
        return f"El PDF es escaneado y el reconocimiento de texto (OCR) no está instalado. {INSTALL_HINT}"
    tess = shutil.which("tesseract")
    if not tess:
        return f"El PDF es escaneado y falta Tesseract para reconocer el texto. {INSTALL_HINT}"
    try:
        out = subprocess.run([tess, "--list-langs"], capture_output=True, text=True, timeout=20)
        langs = set((out.stdout + out.stderr).split())
    except (OSError, subprocess.SubprocessError):
        langs = set()
    if "spa" not in langs:
        return f"El PDF es escaneado y falta el modelo de español de Tesseract. {INSTALL_HINT}"
    return None


def ocr_available() -> bool:
    return ocr_status() is None


OCR_DPI = 200  # Tesseract reads 10-pt text well at 200 dpi and takes about half the time of 300


def _normalised(src: Path, workdir: Path) -> Path:
    """Scans above ~230 dpi re-rendered at OCR_DPI in grey (OCR and deskew time grow with the
    pixels; accuracy on actas' 9–12 pt text does not). The file is returned as is when its
    images are already small enough, or when it cannot be rendered here."""
    try:
        import pypdfium2
        import pdfplumber
    except ImportError:  # pragma: no cover - both come with pdfplumber
        return src
    try:
        with pdfplumber.open(src) as pdf:
            dpis = []
            for page in pdf.pages:
                inches = max(float(page.width), 1.0) / 72
                widths = [float(im.get("srcsize", (0, 0))[0]) for im in page.images]
                dpis.append(max(widths, default=0) / inches)
                page.close()
        if not dpis or max(dpis) < 230:
            return src
        out = workdir / "ocr-input.pdf"
        doc = pypdfium2.PdfDocument(str(src))
        try:
            images = []
            for i in range(len(doc)):
                page = doc[i]
                images.append(page.render(scale=OCR_DPI / 72, grayscale=True).to_pil().convert("L"))
                page.close()
        finally:
            doc.close()
        images[0].save(out, save_all=True, append_images=images[1:], resolution=float(OCR_DPI))
        return out
    except Exception:
        return src


def run_ocr(src: Path, dst: Path, *, pages: int, mode: str = "force", page_timeout: float = 120.0,
            total_timeout: float = 600.0) -> None:
    """Write to ``dst`` a copy of ``src`` with a text layer. ``mode`` "force" rasterises every
    page (scans), "skip" only OCRs pages without text (mixed documents)."""
    status = ocr_status()
    if status:
        raise ActaParseError("ocr-unavailable", message=status)
    cmd = [
        "ocrmypdf", "-l", "spa", "--jobs", "1", "--output-type", "pdf", "--optimize", "0", "-q",
        "--tesseract-timeout", str(int(max(1, page_timeout))),
        "--force-ocr" if mode == "force" else "--skip-text",
    ]
    cmd.append("--deskew")  # tilted scans: word boxes straight, lines and columns readable
    src = _normalised(src, dst.parent) if mode == "force" else src
    cmd += [str(src), str(dst)]
    env = dict(os.environ, OMP_THREAD_LIMIT="1", OMP_NUM_THREADS="1")
    timeout = min(total_timeout, page_timeout * max(pages, 1) + 30)
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            env=env, start_new_session=True)
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        proc.communicate()
        raise ActaParseError(
            "timeout", message=f"El reconocimiento de texto (OCR) tardó más de {int(timeout)} s y se detuvo.",
        ) from None
    if proc.returncode != 0 or not dst.exists():
        detail = (err or b"").decode("utf-8", "replace").strip().splitlines()
        last = detail[-1][:200] if detail else f"código {proc.returncode}"
        raise ActaParseError("ocr-failed", message=f"No se pudo reconocer el texto del PDF escaneado ({last}).")
