"""Bad input never crashes the email parser: what is not an email is an InputError (exit 2
from the CLI), an email that carries nothing usable is ``not_order`` with warnings."""

import io
import json
import time
import zipfile
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import pytest
from typer.testing import CliRunner

from bots.cli.main import app
from inbox_parsers.errors import InputError
from inbox_parsers.email import parse_email


def _email(body: str = "Please see attached.", attachments=(), subject: str = "PO 4711") -> bytes:
    msg = MIMEMultipart("mixed")
    msg["From"] = "Buyer <buyer@pinecrest-grocers.com>"
    msg["To"] = "orders@northwind-supply.com"
    msg["Subject"] = subject
    msg["Message-ID"] = "<bad-input@test>"
    msg.attach(MIMEText(body, "plain", "utf-8"))
    for name, data in attachments:
        part = MIMEApplication(data)
        part.add_header("Content-Disposition", "attachment", filename=name)
        msg.attach(part)
    return msg.as_bytes()


@pytest.mark.parametrize("raw, words", [
    (b"", "empty"),
    (b"   \r\n\r\n", "empty"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
    (b"PK\x03\x04\x14\x00\x00\x00", "zip"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG"),
    (bytes(range(256)) * 4, "binary"),
    (b"Hello Bob,\nthis is just a letter, not an email file.\n", "headers"),
    (b"X-Custom: 1\nY-Other: 2\n\nbody", "no email headers"),
])
def test_what_is_not_an_email_is_an_input_error(raw, words):
    with pytest.raises(InputError) as error:
        parse_email(raw)
    assert words.lower() in error.value.message.lower()


def test_malformed_mime_is_parsed_as_far_as_it_goes():
    raw = (b"From: buyer@pinecrest-grocers.com\r\nSubject: PO 4711\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=\"XYZ\"\r\n\r\n"
           b"--XYZ\r\nContent-Type: text/plain\r\n\r\n"
           b"PO Number: 4711\r\n\r\n24 x NW-4410 Widget @ 18.75\r\n")  # no closing boundary
    result = parse_email(raw)
    assert result["status"] == "order"
    assert result["orders"][0]["lines"][0] == {"sku": "NW-4410", "description": "Widget", "quantity": "24", "unit_price": "18.75"}
    assert any("malformed MIME" in w for w in result["warnings"])


def test_multipart_without_boundary_does_not_crash():
    raw = b"From: a@b.com\r\nSubject: hi\r\nContent-Type: multipart/mixed\r\n\r\nno parts at all\r\n"
    result = parse_email(raw)
    assert result["status"] == "not_order"


def test_a_20_mb_attachment_is_skipped_with_a_warning():
    big = b"SKU,Qty,Price\r\n" + b"AB-1,1,1.00\r\n" * (20 * 1024 * 1024 // 12)
    started = time.perf_counter()
    result = parse_email(_email(attachments=[("PO4711.csv", big)]))
    assert time.perf_counter() - started < 30
    assert result["status"] == "not_order" and result["reason"] == "no order found"
    assert any("MB" in w and "PO4711.csv" in w for w in result["warnings"])


def test_a_zip_attachment_is_not_opened_and_said_so():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("PO4711.csv", "SKU,Qty,Price\nAB-1,1,1.00\n")
    result = parse_email(_email(attachments=[("orders.zip", buffer.getvalue())]))
    assert result["status"] == "not_order"
    assert any("orders.zip" in w and "archives" in w for w in result["warnings"])


def test_a_corrupt_pdf_attachment_is_a_warning():
    result = parse_email(_email(attachments=[("PO4711.pdf", b"%PDF-1.4 this is not really a pdf")]))
    assert result["status"] == "not_order"
    assert any("PO4711.pdf" in w for w in result["warnings"])


def test_an_empty_body_is_not_an_order():
    raw = b"From: buyer@pinecrest-grocers.com\r\nTo: orders@northwind-supply.com\r\nSubject: \r\n\r\n"
    result = parse_email(raw)
    assert result == {"status": "not_order", "message_id": None, "from": "buyer@pinecrest-grocers.com", "subject": "",
                      "orders": [], "reason": "empty", "warnings": []}


def test_an_order_attachment_next_to_a_bad_one_still_counts():
    csv = b"PO Number;4711\r\n\r\nArtikel;Bezeichnung;Menge;Preis\r\nNW-4410;Widget;24;18,75\r\n"
    result = parse_email(_email(attachments=[("broken.pdf", b"%PDF-1.4 junk"), ("PO4711.csv", csv)]))
    assert result["status"] == "order"
    assert result["orders"][0]["lines"] == [{"sku": "NW-4410", "description": "Widget", "quantity": "24", "unit_price": "18.75"}]
    assert any("broken.pdf" in w for w in result["warnings"])


def test_unknown_skus_are_flagged_not_dropped():
    raw = _email("PO Number: 4711\n\n24 x NW-4410 Widget @ 18.75\n3 x ZZ-9999 Mystery @ 2.00\n")
    result = parse_email(raw, known_skus={"NW-4410"})
    order = result["orders"][0]
    assert [line.get("unknown_sku", False) for line in order["lines"]] == [False, True]
    assert order["warnings"] == ["unknown SKU ZZ-9999"]
    assert parse_email(raw)["orders"][0]["lines"][1]["sku"] == "ZZ-9999"


runner = CliRunner()


def _cli(*args):
    from bots.cli.main import COMMAND_MODULES
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(name)
    return runner.invoke(app, list(args))


def test_cli_prints_one_json_object(tmp_path):
    path = tmp_path / "order.eml"
    path.write_bytes(_email("PO Number: 4711\nDeliver by: 12/05/2026\n\n24 x NW-4410 Widget @ 18.75\n"))
    result = _cli("parse-email", str(path), "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["status"] == "order" and data["orders"][0]["po_number"] == "4711"
    assert data["orders"][0]["requested_date"] == "2026-12-05"


def test_cli_prints_a_table_without_json(tmp_path):
    path = tmp_path / "order.eml"
    path.write_bytes(_email("PO Number: 4711\n\n24 x NW-4410 Widget @ 18.75\n"))
    result = _cli("parse-email", str(path))
    assert result.exit_code == 0
    assert "NW-4410" in result.stdout and "18.75" in result.stdout and "order" in result.stdout


@pytest.mark.parametrize("content", [None, b"", b"%PDF-1.4\n", b"just some words\n"])
def test_cli_exits_2_with_the_error_json(tmp_path, content):
    path = tmp_path / "bad.eml"
    if content is not None:
        path.write_bytes(content)
    result = _cli("parse-email", str(path), "--json")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert set(data) == {"error", "file"} and data["file"] == str(path) and data["error"]
    assert "Traceback" not in result.output


def test_a_text_part_named_like_a_csv_file_is_an_attachment():
    raw = (b"From: a@acme-tools.com\nTo: o@northwind-supply.com\nSubject: PO 77\nMIME-Version: 1.0\n"
           b"Content-Type: multipart/mixed; boundary=XX\n\n--XX\nContent-Type: text/plain\n\nSee attached\n"
           b"--XX\nContent-Type: text/plain; name=\"PO77.csv\"\n\nItem,Qty,Price\nAB-1,2,3.00\n--XX--\n")
    [order] = parse_email(raw)["orders"]
    assert order["source"] == "attachment PO77.csv" and order["po_number"] == "77"


def test_damaged_emails_never_crash(order_email_corpus):
    """Truncated, overwritten, cut and shuffled copies of generated emails: a result or an
    InputError, never another exception."""
    import random

    rng = random.Random(7)
    for _ in range(300):
        raw = bytearray(rng.choice(order_email_corpus).raw)
        damage = rng.randrange(4)
        if damage == 0:
            raw = raw[: rng.randrange(len(raw))]
        elif damage == 1:
            for _ in range(rng.randint(1, 50)):
                raw[rng.randrange(len(raw))] = rng.randrange(256)
        elif damage == 2:
            start = rng.randrange(len(raw))
            del raw[start: start + rng.randint(1, 2000)]
        else:
            lines = bytes(raw).split(b"\n")
            rng.shuffle(lines)
            raw = bytearray(b"\n".join(lines))
        try:
            result = parse_email(bytes(raw))
        except InputError:
            continue
        assert result["status"] in ("order", "not_order")
