from . import settlement_dunning_run
