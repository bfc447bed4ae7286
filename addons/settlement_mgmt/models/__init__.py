from . import res_company
from . import res_config_settings
from . import settlement_demo
