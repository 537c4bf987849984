"""Observation ids are UUID version 7 (RFC 9562): the save time in front, so later saves sort later."""

import uuid

from desktop.history.ids import TimeOrderedIds

MS = 1_764_504_000_000  # 2025-11-30T12:00:00Z


def check_format(text: str, ms: int) -> None:
    parsed = uuid.UUID(text)
    assert str(parsed) == text  # lower-case 8-4-4-4-12, as uuid4 ids were
    assert parsed.version == 7
    assert parsed.variant == uuid.RFC_4122
    assert parsed.int >> 80 == ms  # unix_ts_ms, the first 48 bits


def test_ids_carry_the_clock_version_and_variant() -> None:
    ids = TimeOrderedIds(lambda: MS)
    for text in [ids.new(), *ids.many(500)]:
        check_format(text, MS)


def test_ids_increase_within_a_batch_across_batches_and_single_ids() -> None:
    ids = TimeOrderedIds(lambda: MS)  # one millisecond throughout: only the counter orders them
    made = [*ids.many(3), ids.new(), *ids.many(1000), ids.new()]
    assert made == sorted(made)
    assert len(set(made)) == len(made)


def test_a_full_counter_carries_into_the_next_millisecond_and_the_clock_catches_up() -> None:
    now = [MS]
    ids = TimeOrderedIds(lambda: now[0])
    made = ids.many(10_000)  # more than the 4096 a 12-bit counter holds in one millisecond
    assert made == sorted(made) and len(set(made)) == len(made)
    assert uuid.UUID(made[0]).int >> 80 == MS and uuid.UUID(made[-1]).int >> 80 > MS
    now[0] = MS + 1_000
    later = ids.many(2)
    assert later[0] > made[-1]
    check_format(later[0], MS + 1_000)


def test_the_clock_going_back_never_makes_an_earlier_id() -> None:
    now = [MS + 5]
    ids = TimeOrderedIds(lambda: now[0])
    first = ids.many(2)
    now[0] = MS  # e.g. the laptop's clock set back
    assert ids.new() > first[-1]


def test_the_random_part_differs_between_ids() -> None:
    made = TimeOrderedIds(lambda: MS).many(1000)
    assert len({uuid.UUID(i).int & ((1 << 62) - 1) for i in made}) == 1000
