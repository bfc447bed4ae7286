"""Pure computations of settlement_mgmt: no ORM, no database, testable alone."""
