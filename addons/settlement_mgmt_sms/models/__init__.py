from . import settlement_dunning_communication
from . import settlement_dunning_level_channel
from . import settlement_dunning_delivery
