"""Delivery reports read into who did not get which message: every shape, against the generator's oracle."""

import random

import pytest

from inbox_parsers.email.bounces import parse_bounce
from inbox_parsers.errors import InputError
from tests.generators.bounces import SHAPES, bounce_case, not_a_bounce, sent_message


def _cases(count: int, seed: int):
    rng = random.Random(seed)
    for _ in range(count):
        recipients = None
        if rng.random() < 0.3:
            recipients = [f"ap{n}@customer{rng.randint(1, 50)}.example" for n in range(rng.randint(2, 3))]
        yield bounce_case(rng, sent_message(rng, to=recipients))


@pytest.mark.parametrize("seed", range(6))
def test_generated_reports_say_what_the_oracle_says(seed):
    for case in _cases(100, seed):
        bounce = parse_bounce(case.raw)
        where = f"{case.shape}/{case.outcome}"
        assert bounce is not None, where
        assert bounce.standard == case.standard, where
        assert bounce.original_message_id == case.original_message_id, where
        assert {r.address: r.status for r in bounce.failed} == case.failed, where
        actions = {r.address: r.action for r in bounce.recipients}
        assert {a for a, action in actions.items() if action == "delayed"} == case.delayed, where
        assert {a for a, action in actions.items() if action == "delivered"} == case.delivered, where
        if case.failed and case.standard:
            assert all(r.diagnostic and r.remote_mta for r in bounce.failed), where


def test_every_shape_and_outcome_is_generated():
    seen = {(case.shape, case.outcome) for case in _cases(600, 99)}
    assert {shape for shape, _ in seen} == set(SHAPES)
    assert {"failed", "delayed", "delivered"} == {outcome for _, outcome in seen}


def test_a_standard_report_keeps_the_folded_diagnostic_whole():
    rng = random.Random(7)
    for case in _cases(200, 7):
        if case.standard and case.failed:
            for recipient in parse_bounce(case.raw).failed:
                assert "\n" not in recipient.diagnostic and recipient.diagnostic.split()[0].isdigit()


def test_mail_that_is_no_report_is_none():
    rng = random.Random(3)
    for _ in range(30):
        assert parse_bounce(not_a_bounce(rng)) is None


def test_a_report_naming_no_recipient_says_so():
    raw = (b"From: MAILER-DAEMON@mx.example\nTo: ar@northwind.example\nSubject: Undelivered Mail\n"
           b"Message-ID: <r1@mx.example>\nMIME-Version: 1.0\n"
           b"Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n"
           b"--b\nContent-Type: text/plain\n\nsorry\n--b\nContent-Type: message/delivery-status\n\n"
           b"Reporting-MTA: dns; mx.example\n\n--b--\n")
    bounce = parse_bounce(raw)
    assert bounce is not None and bounce.recipients == () and bounce.warnings
    assert bounce.original_message_id == "" and bounce.message_id == "<r1@mx.example>"


def test_bytes_that_are_no_email_are_an_input_error():
    for raw in (b"", b"%PDF-1.7 broken", b"\x00\x01\x02 binary"):
        with pytest.raises(InputError):
            parse_bounce(raw)
