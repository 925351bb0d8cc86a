"""``screen``: the match and segment checks the case workflow (and the dry run) make first."""

from __future__ import annotations

from recoup.domain.contact_policy import PolicyDecision, screen
from recoup.playbook import Playbook, Segments

RULES = Playbook(match_confidence_threshold=0.8, segments=Segments(exclude=("enterprise",)))


def test_nothing_matched_goes_to_review_first() -> None:
    assert screen(1.0, None, RULES) == PolicyDecision("review", "unmatched")


def test_a_weak_match_goes_to_review_even_outside_the_launch() -> None:
    assert screen(0.79, "smb", RULES) == PolicyDecision("review", "low_confidence_match")
    assert screen(0.5, "enterprise", RULES) == PolicyDecision("review", "low_confidence_match")


def test_a_segment_outside_the_launch_stops() -> None:
    assert screen(0.8, "enterprise", RULES) == PolicyDecision("stop", "segment_not_covered")
    only_smb = Playbook(segments=Segments(include=("smb",)))
    assert screen(1.0, "mid_market", only_smb) == PolicyDecision("stop", "segment_not_covered")


def test_a_good_match_in_the_launch_goes_on_to_the_policy() -> None:
    assert screen(0.8, "smb", RULES) is None
    assert screen(1.0, "mid_market", Playbook()) is None
