"""Flask extensions, created unbound and attached in ``create_app`` with ``init_app``."""
from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from gore_tracker.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
bootstrap = Bootstrap5()
# No default limits: login and API-token failures are counted explicitly (auth/throttle.py);
# storage, strategy and on/off come from the RATELIMIT_* settings.
limiter = Limiter(key_func=get_remote_address)
