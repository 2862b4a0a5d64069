"""``flask actas parse`` and ``flask actas import``: acta PDFs from the command line.

Both parse through the sandbox (a limited child process per file, with the app's
PARSE_* and OCR_* settings), so a hostile file ends in one clear line, never a hang
or a traceback.
"""
from __future__ import annotations

import json
import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from gore_tracker import permissions
from gore_tracker.exceptions import DomainError, DuplicateMeeting
from gore_tracker.extensions import db
from gore_tracker.meetings.operations import record_acta
from gore_tracker.users import operations as users
from importers.acta_pdf import ActaParseError
from importers.acta_pdf.sandbox import PARSER, Limits, run_parse

from .operations import (
    document_from_result,
    meeting_for_file,
    other_sector_refusal,
    record_imported,
    sha256_of,
    with_only_sector,
)

log = logging.getLogger(__name__)

actas_cli = AppGroup("actas", help="Actas en PDF: leer e importar.")

EXIT_UNREADABLE = 2


def _limits() -> Limits:
    return Limits.from_config(current_app.config)


def _parse(path: Path) -> dict:
    """The parse result, or ActaParseError (any unexpected failure becomes one too).
    ``IMPORT_PARSER`` ("module:function") lets tests stand a stub in for ``parse_acta``."""
    try:
        return run_parse(path, limits=_limits(),
                         parser=current_app.config.get("IMPORT_PARSER") or PARSER)
    except ActaParseError:
        raise
    except Exception:  # a bug or an OS failure here must not end in a traceback
        log.debug("parsing %s failed", path, exc_info=True)
        raise ActaParseError("failed") from None


@actas_cli.command("parse")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=True, exists=False))
def parse(file: Path):
    """Print the gore-acta/1 JSON of FILE (a PDF); warnings go to stderr.

    Exit status 2, with one line on stderr, when the file cannot be read as an acta."""
    try:
        result = _parse(file)
    except ActaParseError as exc:
        click.echo(f"Error: {file}: {exc}", err=True)
        sys.exit(EXIT_UNREADABLE)
    for warning in result.get("warnings") or []:
        where = f" [{warning['field']}]" if warning.get("field") else ""
        click.echo(f"Aviso: {warning.get('message')}{where}", err=True)
    click.echo(json.dumps(result["acta"], ensure_ascii=False, indent=2))


@dataclass
class _Summary:
    imported: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def _pdfs(targets: tuple[Path, ...], summary: _Summary) -> list[Path]:
    """The files to import: each FILE, and every *.pdf directly inside each folder."""
    files: list[Path] = []
    for target in targets:
        if target.is_dir():
            found = sorted(p for p in target.iterdir() if p.suffix.lower() == ".pdf" and p.is_file())
            if not found:
                summary.skipped.append((str(target), "la carpeta no contiene archivos PDF"))
            files.extend(found)
        elif target.is_file():
            files.append(target)
        else:
            summary.failed.append((str(target), "no existe el archivo o la carpeta"))
    seen, unique = set(), []
    for f in files:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def _errors_of(exc: DomainError) -> str:
    details = [f"{path}: {m}" if path else m for path, msgs in exc.fields.items() for m in msgs]
    return "; ".join(details) or exc.message


def _read_one(path: Path, *, seen: dict[str, str], summary: _Summary) -> dict | None:
    """The parse result of a file to import, or None (skipped or failed, noted in summary)."""
    name = str(path)
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            digest = sha256_of(fh)
    except OSError as exc:
        summary.failed.append((name, f"no se pudo leer el archivo ({exc.strerror})"))
        return None
    cap = current_app.config["IMPORT_MAX_BYTES"]
    if size > cap:
        summary.failed.append((name, f"el archivo supera el máximo de {cap / (1024 * 1024):g} MB"))
        return None
    if digest in seen:
        summary.skipped.append((name, f"mismo archivo que {seen[digest]}"))
        return None
    existing = meeting_for_file(digest)
    if existing is not None:
        summary.skipped.append((name, f"archivo ya importado (reunión {existing.id})"))
        return None
    seen[digest] = path.name
    try:
        return _parse(path)
    except ActaParseError as exc:
        summary.failed.append((name, str(exc)))
        return None


def _record_one(path: Path, result: dict, actor, *, dry_run: bool, summary: _Summary) -> None:
    """Record one parsed file in its own transaction. A dry run records without the PDF
    and keeps everything flushed until the final rollback, so later copies of the same
    acta still collide (``record_acta`` refuses before it adds anything, so a refused
    file leaves nothing behind; no savepoints, which pysqlite would commit)."""
    name = str(path)
    refusal = other_sector_refusal(actor, result.get("acta"))
    if refusal is not None:
        summary.failed.append((name, refusal + " Impórtela con una cuenta de coordinación, o súbala en la "
                               "web y pásela a coordinación."))
        return
    document = with_only_sector(document_from_result(result), actor)
    warnings = len(result.get("warnings") or [])
    note = f" ({warnings} aviso{'s' if warnings != 1 else ''} del lector)" if warnings else ""
    try:
        if dry_run:
            meeting = record_acta(document, actor)
        else:
            with open(path, "rb") as fh:
                meeting = record_imported(document, fh, path.name, actor)
            db.session.commit()
    except DuplicateMeeting as exc:
        if not dry_run:
            db.session.rollback()
        summary.skipped.append((name, f"acta ya registrada (reunión {exc.existing_id})"))
        return
    except DomainError as exc:  # ValidationFailed, PermissionDenied
        if not dry_run:
            db.session.rollback()
        summary.failed.append((name, _errors_of(exc)))
        return
    except Exception as exc:  # a bug must not stop the other files
        db.session.rollback()
        log.debug("recording %s failed", path, exc_info=True)
        first = (str(exc).splitlines() or [""])[0][:200]
        summary.failed.append((name, f"error inesperado al registrar el acta ({type(exc).__name__}: {first})"))
        return
    label = "se importaría" if dry_run else f"reunión {meeting.id}"
    summary.imported.append((name, f"{label}, {len(meeting.commitments)} compromisos{note}"))


def _print_summary(summary: _Summary, dry_run: bool) -> None:
    titles = (("Importadas" + (" (simulación, nada se guardó)" if dry_run else ""), summary.imported),
              ("Omitidas", summary.skipped), ("Con errores", summary.failed))
    for title, rows in titles:
        click.echo(f"{title}: {len(rows)}")
        for name, why in rows:
            click.echo(f"  {name}: {why}")


@actas_cli.command("import")
@click.option("--user", "email", required=True, help="Correo de la cuenta que registra las actas.")
@click.option("--dry-run", is_flag=True, help="Leer y validar sin guardar nada.")
@click.argument("targets", nargs=-1, required=True, type=click.Path(path_type=Path, exists=False))
def import_(email: str, dry_run: bool, targets: tuple[Path, ...]):
    """Import FILE.pdf, or every *.pdf of a FOLDER, as meetings recorded by --user.

    Skips files already imported and actas already recorded; prints a summary. Exit
    status 0 when no file failed, 1 otherwise."""
    actor = users.find_user(email)
    if actor is None:
        raise click.ClickException(f"No existe una cuenta con el correo {email}.")
    if not actor.is_active:
        raise click.ClickException(f"La cuenta {email} está desactivada.")
    if not permissions.can_record_meeting(actor):
        raise click.ClickException(f"La cuenta {email} no puede registrar actas.")
    summary = _Summary()
    files = _pdfs(targets, summary)
    seen: dict[str, str] = {}
    scanned: list[tuple[Path, dict]] = []
    try:
        with click.progressbar(files, label="Importando actas", file=sys.stderr,
                               item_show_func=lambda p: p.name if p else "") as bar:
            for path in bar:
                result = _read_one(path, seen=seen, summary=summary)
                if result is None:
                    continue
                if (result["acta"].get("source") or {}).get("ocr"):
                    # Recorded last: when an acta comes both as text PDF and as scan, the
                    # text (read exactly) is kept and the scan skipped as already recorded.
                    scanned.append((path, result))
                else:
                    _record_one(path, result, actor, dry_run=dry_run, summary=summary)
        for path, result in scanned:
            _record_one(path, result, actor, dry_run=dry_run, summary=summary)
    finally:
        if dry_run:
            db.session.rollback()
    _print_summary(summary, dry_run)
    sys.exit(1 if summary.failed else 0)
