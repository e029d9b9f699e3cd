"""The order a challenge's proposals are shown in (crcn/answers.py), tested directly."""

import subprocess
import sys
from collections import Counter

import pytest

from crcn.answers import is_correct, proposal_order, proposal_seed, shown_proposals


def test_the_seed_names_the_test_taken_and_the_challenge():
    assert proposal_seed("participation-12", "ch-1.1-a") == "participation-12:ch-1.1-a"
    assert proposal_seed("participation-12", "ch-1.1-a") != proposal_seed("participation-1", "2ch-1.1-a")


@pytest.mark.parametrize("count", range(0, 9))
def test_the_order_is_a_permutation_of_the_file_indexes(count):
    for seed in range(50):
        assert sorted(proposal_order(f"participation-{seed}:ch", count)) == list(range(count))


def test_the_same_seed_always_gives_the_same_order():
    assert proposal_order("participation-3:ch-2.1-x", 5) == proposal_order("participation-3:ch-2.1-x", 5)
    # Pinned: an order shown once must be shown again after a deployment, and in another process.
    assert proposal_order("participation-1:ch-1.1-a", 4) == [3, 0, 1, 2]


def test_the_order_does_not_depend_on_the_process():
    """Python salts hash() of texts differently in every process: the order must not use it."""
    code = "from crcn.answers import proposal_order; print(proposal_order('participation-9:ch-3.4-b', 6))"
    runs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        for _ in range(2)
    }
    assert runs == {f"{proposal_order('participation-9:ch-3.4-b', 6)}\n"}


def test_the_order_varies_with_the_seed_and_is_not_the_file_order_for_everyone():
    orders = [tuple(proposal_order(proposal_seed(f"participation-{n}", "ch-1.1-a"), 4)) for n in range(200)]
    assert len(set(orders)) == 24  # every order of 4 proposals appears
    assert orders.count((0, 1, 2, 3)) < 20  # about 1 in 24
    by_challenge = {tuple(proposal_order(proposal_seed("participation-1", f"ch-{n}"), 4)) for n in range(50)}
    assert len(by_challenge) > 10


@pytest.mark.parametrize("count", [2, 3, 4, 5])
def test_over_many_seeds_each_proposal_comes_first_about_equally(count):
    seeds = 6000
    first = Counter(proposal_order(f"participation-{n}:ch-x", count)[0] for n in range(seeds))
    assert set(first) == set(range(count))
    expected = seeds / count
    assert all(abs(first[i] - expected) < 0.1 * expected for i in range(count)), first


def test_the_shown_proposals_keep_their_file_index_so_answers_are_checked_as_before():
    proposals = ["Faux", "Vrai", "Faux aussi", "Encore faux"]
    seed = proposal_seed("participation-5", "ch-1.1-a")
    shown = shown_proposals(seed, proposals)
    assert [index for index, _ in shown] == proposal_order(seed, 4)
    assert all(proposals[index] == text for index, text in shown)
    posted = next(index for index, text in shown if text == "Vrai")
    assert is_correct("qcu", 1, posted)
