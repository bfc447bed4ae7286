from . import settlement_credit_hold_release
from . import settlement_credit_override_grant
from . import settlement_dispute_resolve
from . import settlement_instalment_plan_create
from . import settlement_dunning_run
from . import settlement_dunning_fee_waive
from . import settlement_statement_send
from . import settlement_aged_receivable_export
