"""Mis datos (``/cuenta``): one's own account, password and API tokens; password reset by e-mail."""
