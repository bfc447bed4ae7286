"""Record ids a portal form or address names: read before any lookup, so a
crafted request with thousands of ids or something else than ids is refused
without touching the database."""


def parse_record_ids(values, limit):
    """The ids in ``values`` (strings, each one id or several separated by
    commas), in order and without repeats; None when one is not a positive
    integer of at most 12 digits, or when there are none or more than
    ``limit``."""
    ids = []
    for chunk in values or []:
        for part in str(chunk).split(","):
            part = part.strip()
            if not part:
                continue
            if not part.isdigit() or len(part) > 12 or len(ids) >= limit:
                return None
            ids.append(int(part))
    unique = list(dict.fromkeys(ids))
    return unique or None
