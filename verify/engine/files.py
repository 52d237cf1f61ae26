"""Reading a user's TOML file (a sheet, a rubric) safely: a regular file of at most
`MAX_TOML_BYTES`, refused before it is opened when it is a device, FIFO or directory (which could
block or never end), each problem a one-line `UserError` naming the file."""
from __future__ import annotations

import stat
from pathlib import Path

from .errors import UserError

__all__ = ["MAX_TOML_BYTES", "read_toml_text"]

MAX_TOML_BYTES = 1 << 20  # 1 MiB: the seed's full sheet is ~4 KB; a bound so no read runs away


def read_toml_text(path: str | Path, what: str) -> str:
    """The UTF-8 text of the `what` ("sheet", "rubric") file at `path`."""
    p = Path(path)
    try:
        kind = p.stat().st_mode
        if not stat.S_ISREG(kind):
            shape = "a directory" if stat.S_ISDIR(kind) else "a device, FIFO or socket"
            raise UserError(f"{p}: not a regular file ({shape}); a {what} is a TOML file")
        with p.open("rb") as handle:
            data = handle.read(MAX_TOML_BYTES + 1)  # bounded even if the file grows meanwhile
        if len(data) > MAX_TOML_BYTES:
            raise UserError(f"{p}: larger than {MAX_TOML_BYTES // 1024} KiB; a {what} is a small "
                            "TOML file")
        return data.decode("utf-8")
    except FileNotFoundError:
        raise UserError(f"{p}: no such {what} file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{p}: cannot read the {what} ({exc})") from None
