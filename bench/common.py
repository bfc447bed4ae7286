"""What the benchmarks share.  ``./dev bench`` puts the repository on the path
of ``odoo shell`` (``PYTHONPATH``), so the scripts import ``bench.common``."""

import time


def measure_once(env, label, function):
    """Result, then time and SQL queries of one call of ``function`` (caches
    emptied before, pending writes flushed after).  No tracemalloc: it slows
    Python several times."""
    env.flush_all()
    env.invalidate_all()
    queries = env.cr.sql_log_count
    started = time.perf_counter()
    result = function()
    env.flush_all()
    return result, {
        "step": label,
        "seconds": round(time.perf_counter() - started, 2),
        "queries": env.cr.sql_log_count - queries,
    }
