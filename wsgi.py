"""WSGI entry point: ``gunicorn wsgi:app``."""
from gore_tracker import create_app

app = create_app()
