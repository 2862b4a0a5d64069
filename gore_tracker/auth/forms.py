from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Email


class LoginForm(FlaskForm):
    email = EmailField("Correo electrónico",
                       validators=[DataRequired("Ingrese su correo."), Email("Correo no válido.")])
    password = PasswordField("Contraseña", validators=[DataRequired("Ingrese su contraseña.")])
    remember = BooleanField("Recordarme en este equipo")
