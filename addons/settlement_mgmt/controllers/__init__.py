from . import portal
from . import portal_dispute
from . import portal_plan
from . import portal_promise
from . import portal_invoice
from . import payment
from . import portal_pay_many
