from . import test_sale_credit
from . import test_sale_rpc
