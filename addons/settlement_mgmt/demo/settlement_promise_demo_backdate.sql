-- Demo data only: Alon's promise was made a month ago and never kept.  No
-- promise may be recorded with a past date (settlement.promise's
-- _check_promise), so settlement_promise_demo.xml records it for tomorrow and
-- this moves it 31 days back, as if the days had passed.  Odoo runs demo
-- files again on every update (./dev demo): a promise already in the past is
-- left where it is.
UPDATE settlement_promise
   SET date_promised = date_promised - 31
 WHERE id = (SELECT res_id
               FROM ir_model_data
              WHERE module = 'settlement_mgmt' AND name = 'demo_promise_alon')
   AND date_promised >= CURRENT_DATE;
