"""The indexing's progress, as the management commands that write many cases report it."""

import time

from django.core.management.base import OutputWrapper

from search.index.indexing import Progress


def indexing_progress(stdout: OutputWrapper) -> Progress:
    """Report the indexing as it goes: in place on a terminal, else a line at every tenth."""
    interactive = stdout.isatty()
    started = time.perf_counter()
    next_line = 0

    def report(done: int, total: int) -> None:
        nonlocal started, next_line
        if not done:
            started = time.perf_counter()
        elif done < min(next_line, total):
            return
        line = f"已索引 {done}/{total} 个案例（{time.perf_counter() - started:.1f} 秒）"
        if not done:
            line = f"索引 {total} 个案例……"
        if interactive:
            stdout.write(f"\r{line}", ending="\n" if done == total else "")
        else:
            stdout.write(line)
        stdout.flush()
        next_line = done + max(1, total // 10)

    return report
