from . import settlement_credit_service
from . import sale_order
from . import settlement_credit_override
