from . import test_aging
from . import test_backend_browser
from . import test_company_settings
from . import test_i18n
from . import test_open_receivables
from . import test_security
