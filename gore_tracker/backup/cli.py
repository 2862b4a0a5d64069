"""``flask backup create|verify|restore``: one archive with the database and FILES_DIR."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from . import operations
from .archive import DB_MEMBERS, BackupError

backup_cli = AppGroup("backup", help="Copias de seguridad de la base de datos y de los archivos.")
PATH = click.Path(path_type=Path, dir_okay=True, file_okay=True)


def _run(action, *args, **kwargs):
    """Every failure ends as one line (``Error: …``) and exit status 1, never a traceback."""
    try:
        return action(*args, **kwargs)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:
        raise click.ClickException(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")) from exc
    except SQLAlchemyError as exc:
        first = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise click.ClickException(f"Error de base de datos: {first}") from exc


def _summary(manifest: dict) -> str:
    files = sum(1 for m in manifest["members"] if m["name"] not in DB_MEMBERS.values())
    size = sum(m["size"] for m in manifest["members"])
    return (f"{operations.BACKEND_LABELS[manifest['backend']]}, revisión "
            f"{manifest['alembic_revision'] or 'ninguna'}, {files} archivos, {size / 1e6:.1f} MB, "
            f"creada {manifest['created_at']} (versión {manifest['app_version']})")


@backup_cli.command("create")
@click.argument("path", type=PATH)
def create(path):
    """Write a backup of the database and the stored files to PATH (a .tar.gz)."""
    manifest = _run(operations.create_backup, path)
    click.echo(f"Copia creada: {path} — {_summary(manifest)}")


@backup_cli.command("verify")
@click.argument("path", type=PATH)
def verify(path):
    """Check every member of the backup at PATH against its manifest (size and SHA-256)."""
    manifest = _run(operations.verify_backup, path)
    click.echo(f"Copia válida: {path} — {_summary(manifest)}")


@backup_cli.command("restore")
@click.argument("path", type=PATH)
@click.option("--force", is_flag=True,
              help="Reemplazar los datos aunque la base de datos o la carpeta de archivos no estén vacías.")
def restore(path, force):
    """Restore the backup at PATH into this installation's database and FILES_DIR.

    The archive is verified first. The target must be empty (no rows in any table; a
    migrated schema is fine) and FILES_DIR hold no stored file, unless --force.
    """
    result = _run(operations.restore_backup, path, force=force)
    click.echo(f"Copia restaurada: {path} — {_summary(result.manifest)}")
    if result.upgrade_needed:
        click.echo("La copia es de una versión anterior del esquema: ejecute `flask db upgrade`.")
