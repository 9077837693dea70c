"""What a refused load reports: one problem a line, in the form compilers use."""

from dataclasses import dataclass

PROBLEM_CAP = 100


@dataclass(frozen=True)
class Problem:
    file: str
    reason: str
    line: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.column}: {self.reason}" if self.column else f"{where}: {self.reason}"


class LoadRefused(Exception):
    """The export breaks the contract. `problems` holds at most PROBLEM_CAP of `total`."""

    def __init__(self, problems: list[Problem], total: int):
        self.problems, self.total = problems, total
        super().__init__(f"{total} problem(s)")

    def report(self) -> str:
        lines = [str(p) for p in self.problems]
        if self.total > len(self.problems):
            lines.append(f"... and {self.total - len(self.problems):,} more problems "
                         f"({self.total:,} in all)")
        return "\n".join(lines)
