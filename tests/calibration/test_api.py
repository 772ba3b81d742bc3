"""The calibration API: the exemplar library (anonymised, published by a second person, a
student reading only their stage and the next), sessions rated blind over the API — others'
ratings and the statistics refused until one's own are in or the session is revealed —
revealed, agreed, and each teacher's drift; scoped as the services are."""

import json
from decimal import Decimal

import pytest

from proficio.calibration.models import ConsentBasis
from proficio.calibration.services import (
    calibration_settings_set,
    exemplar_confirm,
    exemplar_propose,
)
from tests.api.client import Api, token_for
from tests.calibration.conftest import agree, rate

pytestmark = pytest.mark.django_db

SOURCES = ("source_student", "source_revision", "source_exemplar", "created_by", "consent")


def api(person) -> Api:
    return Api(token_for(person.username))


def ratings_body(session, levels, why="Because."):
    return {
        "ratings": [
            {"piece": str(piece.uuid), "level": level, "rationale": f"{why} {level}"}
            for piece, level in zip(session.pieces.order_by("position"), levels, strict=True)
        ]
    }


def placed(world, stage, level=3, student=None):
    """A published exemplar of W1 at `stage`, proposed by the teacher from text."""
    exemplar = exemplar_propose(
        actor=world.teacher,
        text=f"Work at stage {stage}.",
        student=student or world.classmate,
        competency=world.competency,
        stage=stage,
        level=Decimal(level),
        title=f"Stage {stage}",
        annotation="Why.",
        consent=ConsentBasis.POLICY,
    )
    return exemplar_confirm(actor=world.other_teacher, exemplar=exemplar, anonymised=True)


# ---- exemplars ------------------------------------------------------------------------------


def test_an_exemplar_is_proposed_anonymised_and_published_by_a_second_person(world, work):
    statement = world.competency.stages.get(ordinal=2).evidence_statements.get()
    teacher, colleague = api(world.teacher), api(world.other_teacher)
    made = teacher.post(
        "/exemplars",
        {
            "competency": str(world.competency.uuid),
            "stage": 2,
            "level": 3,
            "title": "Amara Okafor's river argument",
            "annotation": "Amara states a claim and backs it with two reasons.",
            "missing": "A counterclaim.",
            "statements": [str(statement.uuid)],
            "consent": "author",
            "revision": str(work[0].uuid),
        },
    )
    assert made.status_code == 201, made.json()
    exemplar = made.json()
    assert not set(SOURCES) & set(exemplar)
    assert "amara" not in made.content.decode().lower()
    assert "okafor" not in made.content.decode().lower()
    assert exemplar["text"] == "My argument, by [student]. [student] claim: rivers need room."
    assert (exemplar["stage"], exemplar["level"], exemplar["competency_code"]) == (2, 3.0, "W1")
    assert exemplar["statements"] == ["The student can do 2."]
    assert [f["name"] for f in exemplar["files"]] == ["w1-stage-2-1.txt"]
    assert exemplar["published_at"] is None

    assert colleague.get("/exemplars").json()["items"] == []
    awaiting = colleague.get("/exemplars", awaiting="true").json()
    assert [e["id"] for e in awaiting["items"]] == [exemplar["id"]]
    assert api(world.student).get(f"/exemplars/{exemplar['id']}").status_code == 404

    own = teacher.post(f"/exemplars/{exemplar['id']}/confirm", {"anonymised": True})
    assert own.status_code == 400 and "second person" in own.json()["errors"]["anonymised"]
    unread = colleague.post(f"/exemplars/{exemplar['id']}/confirm", {"anonymised": False})
    assert unread.status_code == 400 and "anonymised" in unread.json()["errors"]
    confirmed = colleague.post(f"/exemplars/{exemplar['id']}/confirm", {"anonymised": True})
    assert confirmed.status_code == 200 and confirmed.json()["published_at"]

    listed = teacher.get("/exemplars").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == exemplar["id"]
    again = api(world.school_admin).post(
        f"/exemplars/{exemplar['id']}/confirm", {"anonymised": True}
    )
    assert again.status_code == 404
    refused = api(world.other_district_teacher).post(
        f"/exemplars/{exemplar['id']}/confirm", {"anonymised": True}
    )
    assert refused.status_code == 404


def test_proposing_an_exemplar_answers_field_by_field(world, work):
    teacher = api(world.teacher)
    valid = {
        "competency": str(world.competency.uuid),
        "stage": 1,
        "level": 3,
        "title": "A piece",
        "annotation": "Why.",
        "consent": "policy",
        "text": "Some work.",
        "student": str(world.classmate.uuid),
    }
    without_student = teacher.post("/exemplars", {k: v for k, v in valid.items() if k != "student"})
    assert without_student.status_code == 400 and "student" in without_student.json()["errors"]
    broken = teacher.post(
        "/exemplars", valid | {"stage": 9, "level": 7, "title": " ", "annotation": "", "text": ""}
    )
    assert broken.status_code == 400
    assert {"stage", "level", "title", "annotation", "text"} <= set(broken.json()["errors"])

    for change, field in (
        ({"consent": "maybe"}, "consent"),
        ({"level": "3"}, "level"),
        ({"stage": True}, "stage"),
        ({"competency": "00000000-0000-0000-0000-000000000000"}, "competency"),
        ({"revision": "00000000-0000-0000-0000-000000000000"}, "revision"),
        ({"student": str(world.other_district_student.uuid)}, "student"),
    ):
        answer = teacher.post("/exemplars", valid | change)
        assert answer.status_code == 400, change
        assert field in answer.json()["errors"], answer.json()

    elsewhere = api(world.other_district_teacher).post(
        "/exemplars", valid | {"revision": str(work[1].uuid)}
    )
    assert elsewhere.status_code == 400  # their district has no such competency
    assert api(world.student).post("/exemplars", valid).status_code == 404
    assert api(world.guardian).post("/exemplars", valid).status_code == 404
    assert teacher.post("/exemplars", valid).status_code == 201


def test_a_student_reads_the_exemplars_of_their_stage_and_the_next(world, amara):
    first, second, third = (placed(world, stage, student=amara) for stage in (1, 2, 3))
    student = api(world.student)

    listed = student.get("/exemplars")
    assert listed.status_code == 200
    assert {e["id"] for e in listed.json()["items"]} == {str(first.uuid), str(second.uuid)}
    for item in listed.json()["items"]:
        assert not set(SOURCES) & set(item)
    assert str(amara.uuid) not in listed.content.decode()
    assert student.get(f"/exemplars/{second.uuid}").status_code == 200
    assert student.get(f"/exemplars/{third.uuid}").status_code == 404
    assert student.get("/exemplars", awaiting="true").json()["items"] == []

    teacher = api(world.teacher)
    assert teacher.get("/exemplars").json()["count"] == 3
    narrowed = teacher.get("/exemplars", competency=str(world.competency.uuid), stage=3, level=3)
    assert [e["id"] for e in narrowed.json()["items"]] == [str(third.uuid)]
    assert teacher.get("/exemplars", level=2).json()["items"] == []
    unknown = teacher.get("/exemplars", competency="00000000-0000-0000-0000-000000000000")
    assert unknown.status_code == 400 and "competency" in unknown.json()["errors"]
    assert teacher.get("/exemplars", stage="first").status_code == 400

    assert api(world.guardian).get("/exemplars").json()["items"] == []
    assert api(world.guardian).get(f"/exemplars/{first.uuid}").status_code == 404
    assert api(world.other_district_teacher).get("/exemplars").json()["items"] == []
    assert api(world.other_district_teacher).get(f"/exemplars/{first.uuid}").status_code == 404
    assert Api().get("/exemplars").status_code == 401


# ---- sessions -------------------------------------------------------------------------------


def test_a_session_lists_with_its_raters_and_shows_anonymised_pieces(world, session):
    listed = api(world.other_teacher).get("/calibration-sessions")
    assert listed.status_code == 200
    [item] = listed.json()["items"]
    assert (item["id"], item["title"], item["pieces"]) == (
        str(session.uuid),
        "Argument writing, stage 2",
        3,
    )
    assert item["school"] == str(world.school.uuid)
    assert item["facilitator"] == str(world.teacher.uuid)
    assert len(item["raters"]) == 3 and all(r["submitted_at"] is None for r in item["raters"])

    detail = api(world.other_teacher).get(f"/calibration-sessions/{session.uuid}")
    assert detail.status_code == 200
    shown = detail.json()
    assert [p["position"] for p in shown["pieces"]] == [1, 2, 3]
    assert {p["stage"] for p in shown["pieces"]} == {2}
    assert [level["value"] for level in shown["pieces"][0]["levels"]] == [1, 2, 3, 4]
    assert shown["pieces"][0]["files"][0]["name"] == "w1-stage-2-1.txt"
    assert (shown["invited"], shown["ratings_open"], shown["may_run"]) == (True, False, False)
    assert shown["own_ratings"] == [] and shown["submitted_at"] is None
    text = detail.content.decode()
    assert "Amara" not in text and "Okafor" not in text
    assert not set(SOURCES) & set(shown["pieces"][0])


@pytest.mark.parametrize("caller", ["student", "guardian", "other_district_teacher", "classmate"])
def test_students_guardians_and_other_districts_see_no_session(world, session, caller):
    rate(session, world.teacher, [3, 2, 1])
    rate(session, world.other_teacher, [3, 3, 1])
    agree(session, world.teacher, [3, 2, 1])
    outsider = api(getattr(world, caller))
    assert outsider.get("/calibration-sessions").json() == {"items": [], "count": 0}
    for path in ("", "/ratings", "/statistics"):
        assert outsider.get(f"/calibration-sessions/{session.uuid}{path}").status_code == 404
    piece = session.pieces.first()
    consensus = outsider.post(
        f"/calibration-sessions/{session.uuid}/pieces/{piece.uuid}/consensus",
        {"level": 3, "rationale": "x"},
    )
    assert consensus.status_code == 404
    assert outsider.post(f"/calibration-sessions/{session.uuid}/reveal", {}).status_code == 404


def test_ratings_are_blind_over_the_api_until_ones_own_are_in(world, session, third_teacher):
    teacher, colleague, third = api(world.teacher), api(world.other_teacher), api(third_teacher)
    given = teacher.post(
        f"/calibration-sessions/{session.uuid}/ratings", ratings_body(session, [3, 2, 1])
    )
    assert given.status_code == 201, given.json()
    assert [r["level"] for r in given.json()] == [3, 2, 1]

    for path in ("ratings", "statistics"):
        refused = colleague.get(f"/calibration-sessions/{session.uuid}/{path}")
        assert refused.status_code == 404
        assert refused.json()["detail"].startswith("Submit your own ratings first")
        admin = api(world.school_admin).get(f"/calibration-sessions/{session.uuid}/{path}")
        assert admin.status_code == 404 and "revealed" in admin.json()["detail"]
    own = teacher.get(f"/calibration-sessions/{session.uuid}/ratings")
    assert own.status_code == 200 and len(own.json()) == 3
    assert {r["rater"] for r in own.json()} == {str(world.teacher.uuid)}

    detail = colleague.get(f"/calibration-sessions/{session.uuid}").json()
    assert detail["own_ratings"] == [] and not detail["ratings_open"]
    assert "Because. 3" not in json.dumps(detail)  # nobody else's rationale either

    assert (
        colleague.post(
            f"/calibration-sessions/{session.uuid}/ratings", ratings_body(session, [3, 3, 1])
        ).status_code
        == 201
    )
    everyone = colleague.get(f"/calibration-sessions/{session.uuid}/ratings")
    assert everyone.status_code == 200 and len(everyone.json()) == 6
    first = everyone.json()[0]
    assert set(first) == {"piece", "rater", "rater_name", "level", "rationale", "created_at"}
    assert colleague.get(f"/calibration-sessions/{session.uuid}/statistics").status_code == 200
    detail = colleague.get(f"/calibration-sessions/{session.uuid}").json()
    assert detail["ratings_open"] and detail["submitted_at"]
    assert [r["level"] for r in detail["own_ratings"]] == [3, 3, 1]

    again = colleague.post(
        f"/calibration-sessions/{session.uuid}/ratings", ratings_body(session, [1, 1, 1])
    )
    assert again.status_code == 400 and "stay as you gave them" in again.json()["errors"]["ratings"]
    assert third.get(f"/calibration-sessions/{session.uuid}/ratings").status_code == 404

    assert colleague.post(f"/calibration-sessions/{session.uuid}/reveal", {}).status_code == 404
    revealed = teacher.post(f"/calibration-sessions/{session.uuid}/reveal", {})
    assert revealed.status_code == 200 and revealed.json()["revealed_at"]
    assert len(third.get(f"/calibration-sessions/{session.uuid}/ratings").json()) == 6
    assert (
        len(api(world.school_admin).get(f"/calibration-sessions/{session.uuid}/ratings").json())
        == 6
    )
    late = third.post(
        f"/calibration-sessions/{session.uuid}/ratings", ratings_body(session, [2, 2, 2])
    )
    assert late.status_code == 400 and "revealed" in late.json()["errors"]["ratings"]
    twice = teacher.post(f"/calibration-sessions/{session.uuid}/reveal", {})
    assert twice.status_code == 400 and "session" in twice.json()["errors"]


def test_ratings_answer_field_by_field(world, session):
    teacher = api(world.teacher)
    path = f"/calibration-sessions/{session.uuid}/ratings"
    pieces = list(session.pieces.order_by("position"))
    partial = teacher.post(
        path,
        {
            "ratings": [
                {"piece": str(pieces[0].uuid), "level": 7, "rationale": "Hm"},
                {"piece": str(pieces[1].uuid), "level": 2, "rationale": " "},
            ]
        },
    )
    assert partial.status_code == 400
    assert set(partial.json()["errors"]) == {"piece-1", "piece-2-rationale", "piece-3"}
    twice = ratings_body(session, [1, 2, 3])
    twice["ratings"][2]["piece"] = str(pieces[0].uuid)
    assert "ratings" in teacher.post(path, twice).json()["errors"]
    stranger = ratings_body(session, [1, 2, 3])
    stranger["ratings"][0]["piece"] = "00000000-0000-0000-0000-000000000000"
    assert "ratings" in teacher.post(path, stranger).json()["errors"]
    text_level = ratings_body(session, [1, 2, 3])
    text_level["ratings"][0]["level"] = "1"
    worded = teacher.post(path, text_level)
    assert worded.status_code == 400 and "ratings.0.level" in worded.json()["errors"]
    # Not invited: the school admin may see the session, but not rate it.
    assert api(world.school_admin).post(path, ratings_body(session, [1, 2, 3])).status_code == 404
    assert api(world.classmate).post(path, ratings_body(session, [1, 2, 3])).status_code == 404
    assert teacher.post(path, ratings_body(session, [1, 2, 3])).status_code == 201


def test_the_statistics_of_a_session_as_worked_by_hand(world, session, third_teacher):
    rate(session, world.teacher, [3, 2, 1])
    rate(session, world.other_teacher, [3, 3, 1])
    rate(session, third_teacher, [4, 2, 1])

    answer = api(third_teacher).get(f"/calibration-sessions/{session.uuid}/statistics")

    assert answer.status_code == 200
    stats = answer.json()
    # Pairs per piece: (3,3,4) one exact of three; (2,3,2) one; (1,1,1) three → 5/9.
    assert stats["exact"] == pytest.approx(5 / 9) and stats["adjacent"] == pytest.approx(1)
    assert 0.667 < stats["alpha"] < 1 and stats["reading"]
    assert [p["spread"] for p in stats["pieces"]] == [1, 1, 0]
    assert [(c["level"], c["label"], c["count"]) for c in stats["pieces"][0]["counts"]] == [
        (1, "Beginning", 0),
        (2, "Developing", 0),
        (3, "Proficient", 2),
        (4, "Advanced", 1),
    ]
    raters = {str(p.uuid) for p in (world.teacher, world.other_teacher, third_teacher)}
    assert {r["id"] for r in stats["raters"]} == raters
    assert len(stats["pairs"]) == 3 and all(p["pieces"] == 3 for p in stats["pairs"])
    assert all({p["first"], p["second"]} <= raters for p in stats["pairs"])
    [stage] = stats["stages"]
    assert (stage["competency"], stage["stage"], stage["pieces"]) == (
        str(world.competency.uuid),
        2,
        3,
    )


def test_consensus_after_the_reveal(world, session, third_teacher):
    rate(session, world.teacher, [3, 2, 1])
    rate(session, world.other_teacher, [3, 3, 1])
    piece = session.pieces.get(position=2)
    path = f"/calibration-sessions/{session.uuid}/pieces/{piece.uuid}/consensus"
    early = api(world.teacher).post(path, {"level": 2, "rationale": "Agreed."})
    assert early.status_code == 400 and "Reveal" in early.json()["errors"]["level"]
    api(world.teacher).post(f"/calibration-sessions/{session.uuid}/reveal", {})

    assert api(world.other_teacher).post(path, {"level": 2, "rationale": "x"}).status_code == 404
    wrong = api(world.teacher).post(path, {"level": 9, "rationale": ""})
    assert wrong.status_code == 400 and {"level", "rationale"} <= set(wrong.json()["errors"])
    agreed = api(world.school_admin).post(path, {"level": 2, "rationale": "One reason only."})
    assert agreed.status_code == 200, agreed.json()
    assert (agreed.json()["consensus_level"], agreed.json()["consensus_rationale"]) == (
        2,
        "One reason only.",
    )
    nowhere = path.replace(str(piece.uuid), "00000000-0000-0000-0000-000000000000")
    assert api(world.teacher).post(nowhere, {"level": 2, "rationale": "x"}).status_code == 404
    elsewhere = path.replace(str(piece.uuid), "not-a-piece")
    assert api(world.teacher).post(elsewhere, {"level": 2, "rationale": "x"}).status_code == 404
    shown = api(third_teacher).get(f"/calibration-sessions/{session.uuid}").json()
    assert shown["pieces"][1]["consensus_level"] == 2


def test_drift_of_oneself_and_of_every_teacher(world, session, third_teacher):
    rate(session, world.teacher, [3, 2, 1])
    rate(session, world.other_teacher, [3, 3, 1])
    rate(session, third_teacher, [4, 3, 2])
    agree(session, world.teacher, [3, 2, 1])
    calibration_settings_set(
        actor=world.district_admin,
        district=world.district,
        drift_threshold=Decimal("0.5"),
        drift_minimum=3,
        calibrate_first=False,
    )

    own = api(third_teacher).get("/calibration/drift")
    assert own.status_code == 200
    drift = own.json()
    # +1, +1, +1 against the consensus: more lenient, flagged past 0.5 over 3 ratings.
    assert (drift["ratings"], drift["mean_difference"], drift["exact_rate"]) == (3, 1, 0)
    assert drift["adjacent_rate"] == 1 and drift["flagged"] and "lenient" in drift["direction"]
    [competency] = drift["by_competency"]
    assert (competency["competency_code"], competency["ratings"]) == ("W1", 3)
    [trend] = drift["by_session"]
    assert (trend["session"], trend["mean_difference"]) == (str(session.uuid), 1)
    assert api(world.teacher).get("/calibration/drift").json()["mean_difference"] == 0
    nothing = api(world.school_admin).get("/calibration/drift").json()
    assert (nothing["ratings"], nothing["mean_difference"], nothing["flagged"]) == (0, None, False)
    assert api(world.student).get("/calibration/drift").status_code == 404
    assert api(world.guardian).get("/calibration/drift").status_code == 404

    everyone = api(world.school_admin).get("/calibration/drift/teachers")
    assert everyone.status_code == 200
    found = everyone.json()
    assert (found["threshold"], found["minimum"]) == (0.5, 3)
    assert found["teachers"][0]["teacher"] == str(third_teacher.uuid)
    assert [t["flagged"] for t in found["teachers"]] == [True, False, False]
    [alpha] = found["alpha_trend"]
    assert alpha["session"] == str(session.uuid) and alpha["alpha"] is not None
    assert api(world.district_admin).get("/calibration/drift/teachers").status_code == 200
    for caller in (world.teacher, world.student, world.other_district_teacher):
        assert api(caller).get("/calibration/drift/teachers").status_code == 404


def test_opening_a_session_over_the_api(world, work, third_teacher):
    exemplar = placed(world, 2)
    body = {
        "title": "Arguments at stage 2",
        "school": str(world.school.uuid),
        "pieces": [
            {"competency": str(world.competency.uuid), "stage": 2, "revision": str(r.uuid)}
            for r in work
        ]
        + [{"competency": str(world.competency.uuid), "stage": 2, "exemplar": str(exemplar.uuid)}],
        "raters": [str(p.uuid) for p in (world.other_teacher, third_teacher)],
    }
    opened = api(world.teacher).post("/calibration-sessions", body)
    assert opened.status_code == 201, opened.json()
    session = opened.json()
    assert len(session["pieces"]) == 4 and session["may_run"] and not session["invited"]
    assert {r["id"] for r in session["raters"]} == set(body["raters"])
    assert "Amara" not in opened.content.decode() and "Okafor" not in opened.content.decode()
    assert api(third_teacher).get(f"/calibration-sessions/{session['id']}").status_code == 200

    broken = api(world.teacher).post(
        "/calibration-sessions",
        body
        | {
            "title": "",
            "pieces": [
                {
                    "competency": str(world.competency.uuid),
                    "stage": 9,
                    "revision": str(work[0].uuid),
                }
            ],
            "raters": [str(world.teacher.uuid)],
        },
    )
    assert broken.status_code == 400
    assert {"title", "pieces", "pieces-1", "raters"} <= set(broken.json()["errors"])
    stranger = api(world.teacher).post(
        "/calibration-sessions", body | {"raters": [str(world.other_district_teacher.uuid)]}
    )
    assert stranger.status_code == 400 and "raters" in stranger.json()["errors"]
    elsewhere = api(world.teacher).post(
        "/calibration-sessions", body | {"school": "00000000-0000-0000-0000-000000000000"}
    )
    assert elsewhere.status_code == 400 and "school" in elsewhere.json()["errors"]
    # A teacher opens sessions of their school; the whole district is for district admins.
    assert (
        api(world.teacher).post("/calibration-sessions", body | {"school": None}).status_code == 404
    )
    district_wide = api(world.district_admin).post("/calibration-sessions", body | {"school": None})
    assert district_wide.status_code == 201 and district_wide.json()["school"] is None
    assert api(world.student).post("/calibration-sessions", body).status_code == 404
