from . import settlement_dispute_analysis
from . import settlement_statement_report
