from . import settlement_dispute_analysis
from . import settlement_statement_report
from . import settlement_discount_analysis
from . import settlement_dashboard
from . import settlement_collection_forecast_review
from . import settlement_collection_file_report
