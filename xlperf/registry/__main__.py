"""``python -m xlperf.registry [README.md]``: regenerate the README's 检查代码 table."""

from __future__ import annotations

import sys
from pathlib import Path

from xlperf.registry import with_table

path = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
text = path.read_text(encoding="utf-8")
new = with_table(text)
if new != text:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(new, encoding="utf-8")
    tmp.replace(path)
    print(f"已更新 {path} 的检查代码表")
else:
    print(f"{path} 的检查代码表已是最新")
