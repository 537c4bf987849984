"""Read rows straight from a SQLite file's pages, one page at a time, whatever the damage (for salvage).

SQLite's own reader trusts the file: a damaged page can send it round in circles or ask for gigabytes.
Here every page is read on its own and checked before it is used, so memory stays a few pages and the
work is one pass over the file: b-trees are walked from their roots (a page is never visited twice),
pages no walk reached are read as orphans, the write-ahead log is laid over the file frame by frame, and
a 100-byte header that was wiped is worked out again from the pages themselves. The format is the one
documented at https://www.sqlite.org/fileformat2.html.
"""

from __future__ import annotations

import math
import operator
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MAGIC = b"SQLite format 3\x00"
HEADER_SIZE = 100
TABLE_LEAF, TABLE_INTERIOR, INDEX_LEAF, INDEX_INTERIOR = 13, 5, 10, 2
_BTREE_TYPES = (TABLE_LEAF, TABLE_INTERIOR, INDEX_LEAF, INDEX_INTERIOR)
_PAGE_SIZES = (4096, 1024, 2048, 8192, 16384, 32768, 65536, 512)
# A record larger than this is taken for garbage (an observation is a few kB): memory stays bounded.
MAX_RECORD = 16 * 1024 * 1024
ORPHANS_READ_AT_ONCE = 256  # pages
_HIGH_BYTES = bytes(range(0x80, 0x100))
BAD_CELL: tuple[None, None, None] = (None, None, None)  # a cell that cannot be read
_WAL_MAGIC = (0x377F0682, 0x377F0683)
_WAL_HEADER, _FRAME_HEADER = 32, 24


class PageDamage(ValueError):
    """A page, cell or record is not what the file format allows."""


@dataclass(frozen=True)
class FileShape:
    """How the file's pages are laid out, read from its header or worked out when the header is wiped."""

    page_size: int
    reserved: int
    page_count: int
    freelist_trunk: int
    header_rebuilt: bool

    @property
    def usable(self) -> int:
        """Return the bytes of each page that b-trees use."""
        return self.page_size - self.reserved


def varint(data: bytes, at: int) -> tuple[int, int]:
    """Return the SQLite varint at ``at`` and the offset after it."""
    value = 0
    for i in range(8):
        if at + i >= len(data):
            raise PageDamage("a number runs past the end of its page")
        byte = data[at + i]
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, at + i + 1
    if at + 8 >= len(data):
        raise PageDamage("a number runs past the end of its page")
    return (value << 8) | data[at + 8], at + 9


_INT_SIZES = (0, 1, 2, 3, 4, 6, 8)
_FLOAT = struct.Struct(">d")


def decode_record(payload: bytes, encoding: str = "utf-8") -> tuple[object, ...]:
    """Return the values of one record (a row of a table or an index entry); raise ``PageDamage``.

    The hot loop of a salvage (a million records): one-byte numbers, the common case, are read inline.
    """
    size = len(payload)
    header_size, at = (payload[0], 1) if size and payload[0] < 0x80 else varint(payload, 0)
    if not 0 < header_size <= size:
        raise PageDamage("a record's header is longer than the record")
    types = []
    while at < header_size:
        byte = payload[at]
        if byte < 0x80:
            types.append(byte)
            at += 1
        else:
            serial, at = varint(payload, at)
            types.append(serial)
    values: list[object] = []
    body = header_size
    for serial in types:
        if serial >= 12:
            end = body + ((serial - 12) >> 1)
            if end > size:
                raise PageDamage("a value runs past the end of its record")
            if serial & 1:
                try:
                    values.append(payload[body:end].decode(encoding))
                except UnicodeDecodeError as exc:
                    raise PageDamage("a text is not valid text") from exc
            else:
                values.append(bytes(payload[body:end]))
            body = end
        else:
            value, body = _small_value(payload, body, serial)
            values.append(value)
    if body != size:
        raise PageDamage("a record's values do not fill it")
    return tuple(values)


def _small_value(payload: bytes, at: int, serial: int) -> tuple[object, int]:
    """Return a NULL, number or constant (serial types 0-9) and the offset after it."""
    if serial == 0:
        return None, at
    if serial <= 6:
        end = at + _INT_SIZES[serial]
        if end > len(payload):
            raise PageDamage("a number runs past the end of its record")
        return int.from_bytes(payload[at:end], "big", signed=True), end
    if serial == 7:
        if at + 8 > len(payload):
            raise PageDamage("a number runs past the end of its record")
        return _FLOAT.unpack_from(payload, at)[0], at + 8
    if serial in (8, 9):
        return serial - 8, at
    raise PageDamage(f"serial type {serial} is reserved")


class PageFile:
    """A SQLite file (and its write-ahead log) read page by page; nothing is ever written to it."""

    def __init__(self, path: Path):
        """Open ``path`` for reading and work out its page layout; raise ``OSError`` if it cannot be read."""
        self._file = Path(path).open("rb")  # noqa: SIM115 (closed by close())
        try:
            self.shape = self._read_shape()
            self._wal_path = Path(str(path) + "-wal")
            self._wal = None
            self._frames: dict[int, int] = {}
            self._load_wal()
            self.encoding = self._encoding()
            self.encoding_code = {"utf-16-le": 2, "utf-16-be": 3}.get(self.encoding, 1)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Close the file and its log."""
        self._file.close()
        if getattr(self, "_wal", None) is not None:
            self._wal.close()

    def __enter__(self) -> PageFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ----------------------------------------------------------------- layout
    def _read_shape(self) -> FileShape:
        header = self._file.read(HEADER_SIZE)
        size = self._file.seek(0, 2)
        page_size = int.from_bytes(header[16:18], "big") if len(header) >= 18 else 0
        page_size = 65536 if page_size == 1 else page_size
        reserved = header[20] if len(header) > 20 else 0
        if header.startswith(MAGIC) and page_size in _PAGE_SIZES and reserved < page_size // 2:
            trunk = int.from_bytes(header[32:36], "big")
            return FileShape(page_size, reserved, size // page_size, trunk, header_rebuilt=False)
        page_size = self._guess_page_size(size)
        return FileShape(page_size, 0, size // page_size, 0, header_rebuilt=True)

    def _guess_page_size(self, size: int) -> int:
        """Return the page size under which most of the first pages look like b-tree pages."""

        def looks_right(page_size: int) -> int:
            hits = 0
            for number in range(2, min(size // page_size, 64) + 1):
                self._file.seek((number - 1) * page_size)
                hits += self._file.read(1)[:1] in (b"\x0d", b"\x05", b"\x0a", b"\x02")
            return hits

        return max(_PAGE_SIZES, key=looks_right)

    def _encoding(self) -> str:
        self._file.seek(56)
        code = int.from_bytes(self._file.read(4), "big")
        return (
            {2: "utf-16-le", 3: "utf-16-be"}.get(code, "utf-8") if not self.shape.header_rebuilt else "utf-8"
        )

    def _load_wal(self) -> None:
        """Index the log's committed frames: for each page, the last frame written before a commit."""
        try:
            self._wal = self._wal_path.open("rb")
        except OSError:
            return
        header = self._wal.read(_WAL_HEADER)
        if len(header) < _WAL_HEADER:
            return
        magic, _version, page_size = struct.unpack(">III", header[:12])
        if magic not in _WAL_MAGIC or page_size != self.shape.page_size:
            return
        order = "<" if magic == _WAL_MAGIC[0] else ">"
        salts = header[16:24]
        s0, s1 = _checksum(header[:24], 0, 0, order)
        if (s0, s1) != struct.unpack(">II", header[24:32]):
            return
        pending: dict[int, int] = {}
        pages = self.shape.page_count
        offset = _WAL_HEADER
        while True:
            frame = self._wal.read(_FRAME_HEADER + page_size)
            if len(frame) < _FRAME_HEADER + page_size or frame[8:16] != salts:
                break
            s0, s1 = _checksum(frame[:8], s0, s1, order)
            s0, s1 = _checksum(frame[_FRAME_HEADER:], s0, s1, order)
            if (s0, s1) != struct.unpack(">II", frame[16:24]):
                break
            number, commit_size = struct.unpack(">II", frame[:8])
            pending[number] = offset + _FRAME_HEADER
            if commit_size:
                self._frames.update(pending)
                pending.clear()
                pages = commit_size
            offset += _FRAME_HEADER + page_size
        if self._frames:
            self.shape = FileShape(**{**self.shape.__dict__, "page_count": pages})

    # ----------------------------------------------------------------- pages
    def page(self, number: int) -> bytes | None:
        """Return page ``number`` (from the log if it holds a newer copy); None if it is not in the file."""
        if not 1 <= number <= self.shape.page_count:
            return None
        size = self.shape.page_size
        if number in self._frames and self._wal is not None:
            self._wal.seek(self._frames[number])
            data = self._wal.read(size)
        else:
            self._file.seek((number - 1) * size)
            data = self._file.read(size)
        return data if len(data) == size else None

    def run(self, first: int, count: int) -> Iterator[tuple[int, bytes]]:
        """Yield (number, page) of ``count`` pages from ``first`` (not page 1) on, read from the file at once.

        A page the log holds a newer copy of is read from the log; a page beyond the file is not given.
        """
        size = self.shape.page_size
        count = max(min(count, self.shape.page_count - first + 1), 0)
        self._file.seek((first - 1) * size)
        block = self._file.read(count * size)
        for i in range(len(block) // size):
            number = first + i
            data = self.page(number) if number in self._frames else block[i * size : (i + 1) * size]
            if data is not None:
                yield number, data

    def every_page(self) -> Iterator[tuple[int, bytes]]:
        """Yield (number, page) of every page but the first, ``ORPHANS_READ_AT_ONCE`` read at a time."""
        for first in range(2, self.shape.page_count + 1, ORPHANS_READ_AT_ONCE):
            yield from self.run(first, ORPHANS_READ_AT_ONCE)

    def freelist(self) -> set[int]:
        """Return the pages the header's free list names (empty if the header was wiped)."""
        free: set[int] = set()
        trunk = self.shape.freelist_trunk
        while trunk and trunk not in free and len(free) <= self.shape.page_count:
            data = self.page(trunk)
            if data is None:
                break
            free.add(trunk)
            count = int.from_bytes(data[4:8], "big")
            for i in range(min(count, (len(data) - 8) // 4)):
                free.add(int.from_bytes(data[8 + 4 * i : 12 + 4 * i], "big"))
            trunk = int.from_bytes(data[:4], "big")
        return free

    def cells(self, number: int) -> tuple[int, list[tuple[int | None, int | None, bytes | None]]]:
        """Return a b-tree page's type and its cells as (child, rowid, payload); raise ``PageDamage``."""
        data = self.page(number)
        if data is None:
            raise PageDamage(f"page {number} is missing")
        at = HEADER_SIZE if number == 1 else 0
        kind = data[at]
        if kind not in _BTREE_TYPES:
            raise PageDamage(f"page {number} is no b-tree page")
        count = int.from_bytes(data[at + 3 : at + 5], "big")
        interior = kind in (TABLE_INTERIOR, INDEX_INTERIOR)
        pointers = at + (12 if interior else 8)
        if pointers + 2 * count > self.shape.usable:
            raise PageDamage(f"page {number} claims more cells than fit")
        found: list[tuple[int | None, int | None, bytes | None]] = []
        for i in range(count):
            offset = int.from_bytes(data[pointers + 2 * i : pointers + 2 * i + 2], "big")
            try:
                if not pointers + 2 * count <= offset < self.shape.usable:
                    raise PageDamage(f"a cell of page {number} points outside it")
                found.append(self._cell(data, kind, offset))
            except PageDamage:
                found.append(BAD_CELL)  # this cell is lost, the page's other cells are not
        if interior:
            found.append((int.from_bytes(data[at + 8 : at + 12], "big"), None, None))
        return kind, found

    def children(self, number: int, data: bytes | None = None) -> list[int]:
        """Return the child pages of an interior b-tree page (none for a leaf or a damaged page)."""
        data = self.page(number) if data is None else data
        if data is None:
            return []
        at = HEADER_SIZE if number == 1 else 0
        if data[at] not in (TABLE_INTERIOR, INDEX_INTERIOR):
            return []
        count = int.from_bytes(data[at + 3 : at + 5], "big")
        pointers = at + 12
        found = [int.from_bytes(data[at + 8 : at + 12], "big")]
        for i in range(min(count, (self.shape.usable - pointers) // 2)):
            offset = int.from_bytes(data[pointers + 2 * i : pointers + 2 * i + 2], "big")
            if offset + 4 <= self.shape.usable:
                found.append(int.from_bytes(data[offset : offset + 4], "big"))
        return found

    def _cell(self, data: bytes, kind: int, at: int) -> tuple[int | None, int | None, bytes | None]:
        child = None
        if kind in (TABLE_INTERIOR, INDEX_INTERIOR):
            child = int.from_bytes(data[at : at + 4], "big")
            at += 4
        if kind == TABLE_INTERIOR:
            key, _ = varint(data, at)
            return child, key, None
        size, at = varint(data, at)
        rowid = None
        if kind == TABLE_LEAF:
            rowid, at = varint(data, at)
        return child, rowid, self._payload(data, at, size, table=kind == TABLE_LEAF)

    def _payload(self, data: bytes, at: int, size: int, *, table: bool) -> bytes:
        """Return a cell's payload, following its overflow pages (never more than their number allows)."""
        if size > MAX_RECORD:
            raise PageDamage("a record claims an impossible size")
        usable = self.shape.usable
        most = usable - 35 if table else (usable - 12) * 64 // 255 - 23
        least = (usable - 12) * 32 // 255 - 23
        local = size if size <= most else least + (size - least) % (usable - 4)
        local = local if local <= most else least
        if at + local > usable:
            raise PageDamage("a cell runs past the end of its page")
        parts = [data[at : at + local]]
        if local < size:
            following = int.from_bytes(data[at + local : at + local + 4], "big")
            parts += self._overflow(following, size - local)
        return b"".join(parts)

    def _overflow(self, number: int, left: int) -> list[bytes]:
        parts = []
        for _ in range(math.ceil(left / (self.shape.usable - 4))):
            data = self.page(number) if number else None
            if data is None:
                raise PageDamage("an overflow page is missing")
            take = min(left, self.shape.usable - 4)
            parts.append(data[4 : 4 + take])
            left -= take
            number = int.from_bytes(data[:4], "big")
        return parts


def _child_ranges(cells: list, low: int, high: int) -> list[tuple[int, int, int]]:
    """Return each child page of a table interior page with the row ids it may hold (low, high]."""
    ranges = []
    for child, key, _ in cells:
        upper = high if key is None else min(key, high)
        if child:
            ranges.append((child, low, upper))
        if key is not None:
            low = max(low, key)
    return ranges


def _in_range(cells: list, low: int, high: int, walk: Walk) -> list:
    """Return a leaf's cells, a row id out of its range or order replaced by None (noted as damage)."""
    checked = []
    for child, rowid, payload in cells:
        if rowid is not None and payload is not None:
            if not low < rowid <= high:
                walk.damaged = True
                rowid = None
            else:
                low = rowid
        checked.append((child, rowid, payload))
    return checked


def _checksum(data: bytes, s0: int, s1: int, order: str) -> tuple[int, int]:
    """Return the log's running checksum after ``data`` (SQLite's wal checksum)."""
    words = struct.unpack(f"{order}{len(data) // 4}I", data)
    for i in range(0, len(words), 2):
        s0 = (s0 + words[i] + s1) & 0xFFFFFFFF
        s1 = (s1 + words[i + 1] + s0) & 0xFFFFFFFF
    return s0, s1


def _cell_pointers(data: bytes, usable: int) -> list[int] | None:
    """Return the cell offsets of a table leaf page (not page 1); None if they do not fit the page."""
    count = int.from_bytes(data[3:5], "big")
    end = 8 + 2 * count
    if end > usable:
        return None
    offsets = list(struct.unpack_from(f">{count}H", data, 8))
    return offsets if not offsets or (min(offsets) >= end and max(offsets) < usable - 1) else None


def is_plain_leaf(data: bytes, usable: int) -> bool:
    """Tell whether no cell of a table leaf page spills onto overflow pages (and its pointers fit it).

    Such a page can be read by SQLite itself (``desktop.history.sqlite_image``), which checks each cell lies
    within the page; any other is read cell by cell here. The hot loop of a salvage (250,000 pages a GB):
    the first byte of every cell's size is gathered in C; only sizes of two bytes are looked at further.
    """
    offsets = _cell_pointers(data, usable)
    if not offsets:
        return offsets is not None
    firsts = _gather(offsets, data)
    if max(firsts) < 0x80:
        return True  # every payload under 128 bytes
    limit = 0x80 + (usable - 35 + 1) // 128  # a two-byte size below (limit - 0x80) * 128 stays on the page
    if max(firsts) >= limit:
        return False
    if max(_gather(offsets, data[1:])) < 0x80:
        return True  # no size of three bytes or more (those are 16 kB and beyond)
    seconds = [data[at + 1] for at, first in zip(offsets, firsts, strict=True) if first >= 0x80]
    return max(seconds, default=0) < 0x80


def _gather(offsets: list[int], data: bytes) -> tuple[int, ...]:  # offsets < len(data) - 1
    """Return the bytes of ``data`` at ``offsets`` (gathered in C)."""
    got = operator.itemgetter(*offsets)(data)
    return got if isinstance(got, tuple) else (got,)


def record_width(data: bytes, usable: int) -> int | None:
    """Return how many values the first readable record of a table leaf page holds (None: none readable)."""
    for at in _cell_pointers(data, usable) or ():
        try:
            _size, at = varint(data, at)
            _rowid, at = varint(data, at)
            header_size, body = varint(data, at)
        except PageDamage:
            continue
        header = data[body : at + header_size]
        if header_size and at + header_size <= usable:
            return len(header.translate(None, _HIGH_BYTES))  # a serial type ends on a byte < 128
    return None


@dataclass
class Walk:
    """What walking one b-tree found: whether any of its pages was damaged or missing."""

    damaged: bool = False


class PageWalker:
    """Walks b-trees of one file, never reading a page twice, then hands out the pages no walk reached."""

    def __init__(self, pages: PageFile):
        """Start with no page visited; the free list's pages count as visited (their rows are stale)."""
        self.pages = pages
        self._visited = bytearray(pages.shape.page_count + 1)
        for number in pages.freelist():
            if number <= pages.shape.page_count:
                self._visited[number] = 1

    def records(self, root: int, walk: Walk) -> Iterator[tuple[int | None, tuple[object, ...]]]:
        """Yield (rowid, values) of every readable record under ``root``; note damage in ``walk``.

        A row id outside the range its parent pages allow (or out of order on its page) is damage: the
        record is still given, with ``None`` for its row id, so a garbage id never counts as the largest.
        """
        last_page = self.pages.shape.page_count
        stack: list[tuple[int, int, int]] = [(root, -(1 << 63), 1 << 63)]
        while stack:
            number, low, high = stack.pop()
            if not 1 <= number <= last_page or self._visited[number]:
                walk.damaged |= not 1 <= number <= last_page
                continue
            self._visited[number] = 1
            try:
                kind, cells = self.pages.cells(number)
            except PageDamage:
                walk.damaged = True
                continue
            if kind == TABLE_INTERIOR:
                stack.extend(reversed(_child_ranges(cells, low, high)))
            elif kind == INDEX_INTERIOR:
                stack.extend((child, low, high) for child, _, _ in reversed(cells) if child)
            yield from self._decoded(_in_range(cells, low, high, walk), walk)

    def claim(self, root: int) -> None:
        """Mark a tree this salvage does not read (an index, the search index) so it yields no orphans."""
        stack = [root]
        while stack:
            number = stack.pop()
            if not 1 <= number <= self.pages.shape.page_count or self._visited[number]:
                continue
            self._visited[number] = 1
            stack.extend(self.pages.children(number))

    def leaves(self, root: int, walk: Walk) -> Iterator[tuple[int, bytes]]:
        """Yield (number, page) of every table leaf page under ``root``, in row order; note damage."""
        stack = [root]
        while stack:
            number = stack.pop()
            data = self._unvisited(number, walk)
            if data is None:
                continue
            kind = data[HEADER_SIZE if number == 1 else 0]
            if kind == TABLE_INTERIOR:
                stack.extend(reversed(self._children_of(data, number, walk)))
            elif kind == TABLE_LEAF and number != 1:
                yield number, data
            else:
                walk.damaged = True

    def count(self, root: int, walk: Walk) -> int:
        """Return how many entries an index tree holds (each of its cells is one), reading no record."""
        entries = 0
        stack = [root]
        while stack:
            number = stack.pop()
            data = self._unvisited(number, walk)
            if data is None:
                continue
            at = HEADER_SIZE if number == 1 else 0
            if data[at] not in (INDEX_LEAF, INDEX_INTERIOR):
                walk.damaged = True
                continue
            entries += int.from_bytes(data[at + 3 : at + 5], "big")
            if data[at] == INDEX_INTERIOR:
                stack.extend(self._children_of(data, number, walk))
        return entries

    def _unvisited(self, number: int, walk: Walk) -> bytes | None:
        """Return a page not visited yet (marking it visited); None, noting damage if it is missing."""
        if not 1 <= number <= self.pages.shape.page_count:
            walk.damaged = True
            return None
        if self._visited[number]:
            return None
        self._visited[number] = 1
        data = self.pages.page(number)
        walk.damaged |= data is None
        return data

    def _children_of(self, data: bytes, number: int, walk: Walk) -> list[int]:
        """Return an interior page's children left to right (its right-most child last); note damage."""
        children = self.pages.children(number, data)
        expected = int.from_bytes(data[(HEADER_SIZE if number == 1 else 0) + 3 :][:2], "big") + 1
        walk.damaged |= len(children) != expected
        return children[1:] + children[:1]

    def orphan_leaves(self) -> Iterator[tuple[int, bytes]]:
        """Yield (number, page) of the table leaf pages no walk reached and no list names free.

        Runs of pages no walk reached are read a megabyte at a time: after a cut, that is nearly all.
        """
        visited, last = self._visited, self.pages.shape.page_count
        number = visited.find(0, 2)
        while 0 < number <= last:
            end = visited.find(1, number)
            end = last + 1 if end < 0 else end
            for run in range(number, end, ORPHANS_READ_AT_ONCE):
                for found, data in self.pages.run(run, min(ORPHANS_READ_AT_ONCE, end - run)):
                    if data[0] == TABLE_LEAF:
                        visited[found] = 1
                        yield found, data
            number = visited.find(0, end)

    def page_records(self, number: int, walk: Walk) -> Iterator[tuple[int | None, tuple[object, ...]]]:
        """Yield (rowid, values) of the readable records of one table leaf page, cell by cell."""
        try:
            _kind, cells = self.pages.cells(number)
        except PageDamage:
            walk.damaged = True
            return
        yield from self._decoded(cells, walk)

    def _decoded(self, cells: list, walk: Walk) -> Iterator[tuple[int | None, tuple[object, ...]]]:
        for cell in cells:
            _child, rowid, payload = cell
            walk.damaged |= cell is BAD_CELL
            if payload is None:
                continue
            try:
                yield rowid, decode_record(payload, self.pages.encoding)
            except PageDamage:
                walk.damaged = True
