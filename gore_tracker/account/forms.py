"""Forms of Mis datos and the password reset pages. The password policy itself lives in
``users.passwords``; the operations put its messages back beside these fields."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email, Length

_MAX = 200


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Contraseña actual", validators=[
        DataRequired("Ingrese su contraseña actual."), Length(max=_MAX)])
    new_password = PasswordField("Nueva contraseña", validators=[
        DataRequired("Ingrese la nueva contraseña."), Length(max=_MAX)])
    confirm = PasswordField("Repita la nueva contraseña", validators=[
        DataRequired("Repita la nueva contraseña."), Length(max=_MAX)])


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Correo electrónico de su cuenta", validators=[
        DataRequired("Ingrese su correo."), Email("Correo no válido."), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField("Nueva contraseña", validators=[
        DataRequired("Ingrese la nueva contraseña."), Length(max=_MAX)])
    confirm = PasswordField("Repita la nueva contraseña", validators=[
        DataRequired("Repita la nueva contraseña."), Length(max=_MAX)])


class RevokeForm(FlaskForm):
    """A CSRF-protected button."""
