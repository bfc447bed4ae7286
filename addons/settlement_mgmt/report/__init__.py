from . import settlement_dispute_analysis
