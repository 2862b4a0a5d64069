"""Office documents in ZIP containers (Word, Excel, PowerPoint, OpenDocument).

``probe_office(source, kind)`` checks a file is the kind it claims and safe to open
before anything else reads it (evidence uploads today; Word actas and plan imports
later). Pure Python: no Flask, no database.
"""
from .probe import KINDS, OfficeFileError, OfficeLimits, OfficeProbe, probe_office

__all__ = ["KINDS", "OfficeFileError", "OfficeLimits", "OfficeProbe", "probe_office"]
