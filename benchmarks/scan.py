"""The floor: a bare lxml iterparse over <item> elements that does nothing else.

Run as a script (``python benchmarks/scan.py FILE``) so the benchmark measures a
fresh interpreter, like the wxr2db commands it is compared with. Prints the item count.
"""

from __future__ import annotations

import sys

from lxml import etree  # type: ignore[import-untyped, unused-ignore]


def scan(path: str) -> int:
    count = 0
    with open(path, "rb") as source:
        events = etree.iterparse(
            source, events=("end",), tag="item", resolve_entities=False, no_network=True, huge_tree=True
        )
        for _event, elem in events:
            count += 1
            elem.clear()
            parent = elem.getparent()
            while parent is not None and elem.getprevious() is not None:
                del parent[0]
    return count


if __name__ == "__main__":
    print(scan(sys.argv[1]))
