"""The pure parts of the load benchmarks (bench/loadkit.py, bench/load_session.py): the forms read from a page,
the answer a candidate posts, the figures of a list of timings, the ramp's verdict. No server, no timing."""

import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import load_session
from loadkit import field_value, figures, form_fields


def page(inputs):
    return (
        "<h1>Question 7 / 32</h1><form method='post' action='repondre/'>"
        '<input type="hidden" name="csrfmiddlewaretoken" value="tok&amp;en">'
        '<input type="hidden" name="question" value="7">'
        f"{inputs}"
        '<button type="submit" name="valider">Je valide</button>'
        '<button type="submit" name="passer" formnovalidate>Je passe</button></form>'
    )


RADIOS = "".join(f'<input type="radio" id="p{n}" name="reponse" value="{n}">' for n in range(4))
CHECKBOXES = "".join(f'<input value="{n}" name="reponse" type="checkbox">' for n in range(4))
FREE = '<input class="fr-input" id="reponse" name="reponse" autocomplete="off">'


def test_form_fields_read_attributes_in_any_order_and_unescape_them():
    fields = form_fields(page(CHECKBOXES))
    assert [f["tag"] for f in fields[:2]] == ["input", "input"]
    assert field_value(page(""), "csrfmiddlewaretoken") == "tok&en"
    assert field_value(page(""), "question") == "7"
    assert field_value(page(""), "absent") is None
    assert {f["value"] for f in fields if f.get("type") == "checkbox"} == {"0", "1", "2", "3"}


def test_a_single_choice_posts_one_proposal_with_the_question_and_the_token():
    data = load_session.answer_form(page(RADIOS), random.Random(1), skip_share=0)
    assert data[:2] == [("csrfmiddlewaretoken", "tok&en"), ("question", "7")]
    answers = [value for name, value in data if name == "reponse"]
    assert len(answers) == 1 and answers[0] in "0123"
    assert "passer" not in dict(data)


def test_a_multiple_choice_posts_one_or_two_distinct_proposals():
    seen = set()
    for seed in range(30):
        answers = [
            v
            for n, v in load_session.answer_form(page(CHECKBOXES), random.Random(seed), skip_share=0)
            if n == "reponse"
        ]
        assert len(set(answers)) == len(answers) and set(answers) <= {"0", "1", "2", "3"}
        seen.add(len(answers))
    assert seen == {1, 2}


def test_a_free_answer_posts_a_word_and_a_skip_posts_passer():
    assert ("reponse", "réponse") in load_session.answer_form(page(FREE), random.Random(1), skip_share=0)
    skipped = load_session.answer_form(page(FREE), random.Random(1), skip_share=1)
    assert ("passer", "1") in skipped and "reponse" not in dict(skipped)


def test_a_page_without_a_question_is_the_end():
    assert load_session.answer_form("<h1>Test terminé</h1>", random.Random(1)) is None


def test_figures_give_median_nearest_rank_p95_and_max():
    assert figures([float(n) for n in range(1, 101)]) == {"median_ms": 50.5, "p95_ms": 95.0, "max_ms": 100.0}
    assert figures([3.0], "answer_") == {"answer_median_ms": 3.0, "answer_p95_ms": 3.0, "answer_max_ms": 3.0}
    assert figures([], "x_")["x_p95_ms"] is None


def test_the_ramp_keeps_the_best_step_that_held():
    steps = [
        {"answers_per_s": 9.8, "p95_ms": 40.0, "errors": 0},
        {"answers_per_s": 19.6, "p95_ms": 150.0, "errors": 0},
        {"answers_per_s": 24.0, "p95_ms": 120.0, "errors": 1},
        {"answers_per_s": 26.0, "p95_ms": 450.0, "errors": 0},
    ]
    assert load_session.best_rate(steps) == 19.6
    assert load_session.best_rate(steps[3:]) is None


def test_the_benchmark_database_sits_beside_the_configured_one_and_must_be_postgresql():
    url, name = load_session.fresh_database_url("postgres://postgres@127.0.0.1:5432/pixdeploy_x")
    assert (url, name) == ("postgres://postgres@127.0.0.1:5432/pixdeploy_x_load_session", "pixdeploy_x_load_session")
    with pytest.raises(SystemExit):
        load_session.fresh_database_url("sqlite:///db.sqlite3")


def test_a_pupil_of_the_rush_answers_the_campaign_challenge_or_skips():
    import load_rushes

    html = (
        '<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="t">'
        '<input type="hidden" name="challenge" value="12"><input type="hidden" name="type" value="qcu">'
        f"{RADIOS}</form>"
    )
    answered = [load_rushes.campaign_answer(html, random.Random(seed)) for seed in range(20)]
    assert all(data["challenge"] == "12" and data["csrfmiddlewaretoken"] == "t" for data in answered)
    assert {"passer" in data for data in answered} == {True, False}
    assert all(data["reponse"] in "0123" for data in answered if "reponse" in data)
    assert load_rushes.campaign_answer("<h1>Parcours terminé</h1>", random.Random(1)) is None


def test_a_fault_works_in_a_database_of_its_own_and_rewrites_only_its_own_docs_block(tmp_path, monkeypatch):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench" / "faults"))
    import faultkit

    url, name = faultkit.own_database_url("postgres://postgres@127.0.0.1:5432/pixdeploy_faults", "redis_down")
    assert name == "pixdeploy_faults_redis_down" and url.endswith("/pixdeploy_faults_redis_down")
    with pytest.raises(SystemExit):
        faultkit.own_database_url("sqlite:///db.sqlite3", "redis_down")
    docs = tmp_path / "benchmarks.md"
    docs.write_text("# Benchmarks\n\nKept.\n")
    monkeypatch.setattr(faultkit, "DOCS", docs)
    faultkit.replace_block("faults:x", "first")
    faultkit.replace_block("faults:y", "other")
    faultkit.replace_block("faults:x", "second")
    text = docs.read_text()
    assert text.startswith("# Benchmarks\n\nKept.\n") and "first" not in text
    assert text.count("<!-- faults:x -->\nsecond\n<!-- /faults:x -->") == 1 and "other" in text
