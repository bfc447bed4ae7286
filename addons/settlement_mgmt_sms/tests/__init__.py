from . import test_sms_reminders
