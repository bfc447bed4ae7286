from . import res_partner
from . import sale_order
from . import settlement_credit_override
