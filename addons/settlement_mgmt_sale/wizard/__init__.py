from . import settlement_credit_override_grant
