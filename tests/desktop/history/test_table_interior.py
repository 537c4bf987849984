"""A table's interior pages written again over its leaves: SQLite's varints, and leaves that overlap."""

import pytest

from desktop.history.sqlite_pages import TABLE_INTERIOR, PageDamage, varint
from desktop.history.table_interior import Leaf, _varint, interior_over


@pytest.mark.parametrize(
    "value", [0, 1, 127, 128, 16383, 16384, 2**31, 2**56 - 1, 2**56, 2**63 - 1, -1, -(2**63)]
)
def test_a_row_id_is_written_as_sqlite_reads_it(value: int) -> None:
    written = _varint(value) + b"\0"
    read, after = varint(written, 0)
    assert (read, after) == (value % 2**64, len(written) - 1), (
        "as 64 bits, which is how the reader gives them"
    )


def test_leaves_are_ordered_by_row_id_and_one_root_keeps_its_page_number() -> None:
    leaves = [Leaf(9, 101, 200, 100), Leaf(7, 1, 100, 100), Leaf(8, 201, 300, 100)]
    interior = interior_over(leaves, root=2, page_count=9, size=4096, usable=4096)
    assert list(interior.pages) == [2] and interior.page_count == 9
    root = interior.pages[2]
    assert root[0] == TABLE_INTERIOR and int.from_bytes(root[3:5], "big") == 2
    assert int.from_bytes(root[8:12], "big") == 8, "the leaf of the largest row ids is the right-most child"
    first = int.from_bytes(root[12:14], "big")
    assert int.from_bytes(root[first : first + 4], "big") == 7 and varint(root, first + 4)[0] == 100


def test_many_leaves_take_more_levels_added_at_the_end_of_the_file() -> None:
    leaves = [Leaf(10 + i, 100 * i + 1, 100 * i + 100, 100) for i in range(2000)]
    interior = interior_over(leaves, root=2, page_count=5000, size=4096, usable=4096)
    assert interior.page_count > 5000 and set(interior.pages) == {2, *range(5001, interior.page_count + 1)}


def test_leaves_holding_the_same_row_ids_are_not_one_table() -> None:
    with pytest.raises(PageDamage):
        interior_over(
            [Leaf(7, 1, 100, 10), Leaf(8, 50, 150, 10)], root=2, page_count=8, size=4096, usable=4096
        )
