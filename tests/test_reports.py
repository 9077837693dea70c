"""The monthly update (PDF), its email digest and the alert rules, against the fixture's hand
values (tests/fixture_export: 2025-06 billings $4,820; 2025-05 $3,910; 2024-06 $2,560 = K1 500 +
200 + 400, K2 600 + 300, K3 400 + 160; targets.csv: billings 5,000, experts_active 10, take_rate
0.4 for 2025-06), a real PDF reader, poppler's pdftoppm, and a real SMTP server on a free port."""

import csv
import email
import shutil
import subprocess
from datetime import date
from email import policy

import pypdf
import pytest
from aiosmtpd.controller import Controller

from bench.browser_pages import free_port
from conftest import ARTIFACTS_DIR, FIXTURE_EXPORT
from expertnet import cli
from expertnet.access import share_links
from expertnet.errors import BadInput
from expertnet.reports import alerts, digest, pdf, update
from expertnet.warehouse import open_read_only

JUNE = date(2025, 6, 1)
NOTE = "# Highlights\n\nWe **grew** billings to a new high.\n\n- Beta Corp signed K5\n- Two hires\n"


@pytest.fixture(scope="module")
def con(fixture_db):
    connection = open_read_only(str(fixture_db))
    yield connection
    connection.close()


def rules_file(tmp_path, text: str):
    path = tmp_path / "alerts.toml"
    path.write_text(text, encoding="utf-8")
    return path


RULES = '''
[[alert]]
name = "Billings under 5k"
metric = "billings_usd"
below = 5000

[[alert]]
name = "Take rate under 40%"
metric = "take_rate"
below = 0.4

[[alert]]
name = "Busy month"
metric = "experts_active"
above = 7

[[alert]]
name = "Billings fell"
metric = "billings_usd"
change = "previous_month"
beyond_pct = 20
direction = "down"

[[alert]]
name = "Billings jumped"
metric = "billings_usd"
change = "previous_month"
beyond_pct = 20
direction = "up"

[[alert]]
name = "Year on year swing"
metric = "billings_usd"
change = "year_ago"
beyond_pct = 88.4

[[alert]]
name = "Behind plan"
metric = "billings_usd"
misses_target = true

[[alert]]
name = "Too few active"
metric = "experts_active"
misses_target = true

[[alert]]
name = "Take rate plan"
metric = "take_rate"
misses_target = true
'''


def test_each_alert_condition_on_the_fixture(con, tmp_path):
    rules = alerts.read_rules(rules_file(tmp_path, RULES))
    fired = {f.rule.name: f for f in alerts.fired(con, rules, JUNE)}
    # 4,820 < 5,000; take rate 45.6% is not under 40%; 8 active > 7; +23.3% m/m is up, not down;
    # +88.3% y/y is not beyond 88.4%; 4,820 misses 5,000; 8 misses 10; 45.6% beats 40%
    assert sorted(fired) == ["Behind plan", "Billings jumped", "Billings under 5k", "Busy month", "Too few active"]
    assert fired["Billings jumped"].message == "Billings (GMV) is $4,820, +23.3% against the month before ($3,910)"
    assert fired["Behind plan"].compared_with == 5000 and fired["Too few active"].value == 8
    year = alerts.read_rules(rules_file(tmp_path, RULES.replace("beyond_pct = 88.4", "beyond_pct = 88.2")))
    assert "Year on year swing" in {f.rule.name for f in alerts.fired(con, year, JUNE)}   # 4,820 / 2,560: +88.3%


@pytest.mark.parametrize("text, line, says", [
    ('[[alert]]\nname = "a"\nmetric = "billings_usd"\nbelow = 1\n\n[[alert]]\nname = "b"\nmetric = "revenue"\nbelow = 1\n',
     8, "unknown metric 'revenue'"),
    ('[[alert]]\nname = "a"\nmetric = "billings_usd"\n', 1, "exactly one of below, above, change or misses_target"),
    ('\n\n[[alert]]\nname = "a"\nmetric = "hours"\nchange = "weekly"\nbeyond_pct = 5\n', 6, "change must be one of"),
    ('[[alert]]\nname = "a"\nmetric = "hours"\nbelow = "ten"\n', 4, "below must be a number"),
    ('[[alert]]\nname = "a"\nmetric = "billings_usd"\nbelow = 1\nwhen = "daily"\n', 5, "unknown setting 'when'"),
    ('[[alert]\nname = "a"\n', 1, "not valid TOML"),
])
def test_a_wrong_rule_file_is_refused_with_its_file_and_line(tmp_path, text, line, says):
    path = rules_file(tmp_path, text)
    with pytest.raises(BadInput) as refused:
        alerts.read_rules(path)
    assert str(refused.value).startswith(f"{path}:{line}: ") and says in str(refused.value)


def pdf_text(data: bytes) -> tuple[int, str]:
    import io
    reader = pypdf.PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_the_founders_update_holds_the_months_figures_the_plan_and_the_note(con, tmp_path):
    made = update.build(con, JUNE, note=NOTE, rules=alerts.read_rules(rules_file(tmp_path, RULES)))
    data = pdf.render(made)
    pages, text = pdf_text(data)
    assert pages == 2
    flat = " ".join(text.split())
    assert "Monthly update: 2025-06" in flat and "Made for the founders" in flat
    assert "Billings (GMV) $4,820 +23.3% +88.3% $5,000 (-3.6%)" in flat     # 4,820 / 5,000 - 1
    assert "Active experts 8 +33.3% 10 (-20.0%)" in flat                    # 6 in 2025-05
    assert "Billings under 5k: Billings (GMV) is $4,820" in flat
    assert "We grew billings to a new high." in flat and "Beta Corp signed K5" in flat
    assert "Data to 2025-06-16" in flat
    (ARTIFACTS_DIR / "update-founders-2025-06.pdf").write_bytes(data)


@pytest.fixture
def finance_link(app_env):
    link, _token, _url = share_links.create_link("Jane Doe, Acme Ventures", 14, "f@example.com", "finance")
    return link


def test_a_links_update_shows_what_its_investor_may_see(con, finance_link):
    data = pdf.render(update.build(con, JUNE, update.audience_of(finance_link.id), note=NOTE))
    pages, text = pdf_text(data)
    flat = " ".join(text.split())
    assert pages == 2 and "Made for Jane Doe, Acme Ventures (share link" in flat and "domain finance" in flat
    # 8 finance experts signed up by 2025-06: every expert figure of the view is withheld, as on its pages
    assert "Experts signed up fewer than 11 experts" in flat and "Billings (GMV) fewer than 11 experts" in flat
    assert "Valuation (whole company) $24M" in flat
    assert "Alerts" not in flat and "Plan" not in flat                       # founders only
    with open(FIXTURE_EXPORT / "experts.csv") as f:
        for expert in csv.DictReader(f):
            for identifying in (expert["expert_id"], expert["full_name"], expert["email"]):
                assert identifying not in text, identifying
    (ARTIFACTS_DIR / "update-investor-finance-2025-06.pdf").write_bytes(data)
    # a page drawn as an image, to look at (tests/artifacts/update-investor-finance-2025-06-1.png)
    assert shutil.which("pdftoppm"), "poppler-utils is not installed (.ci/run installs it)"
    subprocess.run(["pdftoppm", "-png", "-r", "80", str(ARTIFACTS_DIR / "update-investor-finance-2025-06.pdf"),
                    str(ARTIFACTS_DIR / "update-investor-finance-2025-06")], check=True, timeout=60)
    assert (ARTIFACTS_DIR / "update-investor-finance-2025-06-1.png").stat().st_size > 10_000


def test_a_revoked_or_unknown_link_gets_no_update(con, finance_link):
    share_links.revoke(finance_link.id)
    with pytest.raises(BadInput, match="is revoked"):
        update.audience_of(finance_link.id)
    with pytest.raises(BadInput, match="no share link"):
        update.audience_of("0123456789ab")


def test_the_report_command_writes_the_pdf(fixture_db, app_env, tmp_path, capsys):
    note = tmp_path / "note.md"
    note.write_text(NOTE, encoding="utf-8")
    out = tmp_path / "update.pdf"
    assert cli.main(["report", "--db", str(fixture_db), "--month", "2025-06", "--note", str(note),
                     "--pdf", str(out)]) == 0
    assert pdf_text(out.read_bytes())[0] == 2 and "wrote" in capsys.readouterr().out
    assert cli.main(["report", "--db", str(fixture_db), "--month", "2031-01", "--pdf", str(tmp_path / "x.pdf")]) == 2
    assert "outside the data" in capsys.readouterr().err and not (tmp_path / "x.pdf").exists()


class Inbox:
    """A real SMTP server's handler: keeps what arrives; refuses the addresses in `refuse`."""
    def __init__(self, refuse=()):
        self.messages, self.refuse = [], set(refuse)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"


@pytest.fixture
def smtp_server(monkeypatch):
    servers = []

    def start(refuse=()):
        inbox = Inbox(refuse)
        controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
        controller.start()
        servers.append(controller)
        monkeypatch.setenv("EXPERTNET_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("EXPERTNET_SMTP_PORT", str(controller.port))
        monkeypatch.setenv("EXPERTNET_SMTP_FROM", "updates@example.com")
        monkeypatch.setenv("EXPERTNET_SMTP_STARTTLS", "0")
        return inbox
    yield start
    for controller in servers:
        controller.stop()


def test_the_digest_arrives_once_with_both_parts_and_the_pdf(fixture_db, app_env, smtp_server, capsys):
    inbox = smtp_server()
    assert cli.main(["digest", "send", "--db", str(fixture_db), "--month", "2025-06",
                     "--to", "a@example.com", "Bo <b@example.com>"]) == 0, capsys.readouterr().err
    assert len(inbox.messages) == 1
    recipients, raw = inbox.messages[0]
    assert recipients == ["a@example.com", "b@example.com"]
    mail = email.message_from_bytes(raw, policy=policy.default)
    assert mail["Subject"].endswith("Monthly update: 2025-06")
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "Billings (GMV)" in text and "$4,820" in text and "+23.3% m/m" in text
    assert "<b>$4,820</b>" in html
    attached = [part for part in mail.iter_attachments() if part.get_content_type() == "application/pdf"]
    assert len(attached) == 1 and attached[0].get_filename() == "update-all-experts-2025-06.pdf"
    assert pdf_text(attached[0].get_content())[0] == 2


def test_a_refused_recipient_means_nobody_gets_it(fixture_db, app_env, smtp_server, capsys):
    inbox = smtp_server(refuse={"gone@example.com"})
    assert cli.main(["digest", "send", "--db", str(fixture_db), "--month", "2025-06",
                     "--to", "a@example.com", "gone@example.com"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: the SMTP server at 127.0.0.1:") and "refused gone@example.com: 550" in err
    assert "nothing was sent" in err and len(err.strip().splitlines()) == 1 and inbox.messages == []


def test_an_unreachable_server_is_one_plain_line(fixture_db, app_env, monkeypatch, capsys):
    import socket
    with socket.socket() as probe:            # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("EXPERTNET_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("EXPERTNET_SMTP_PORT", str(port))
    monkeypatch.setenv("EXPERTNET_SMTP_FROM", "updates@example.com")
    assert cli.main(["digest", "send", "--db", str(fixture_db), "--month", "2025-06", "--to", "a@example.com"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"error: cannot reach the SMTP server at 127.0.0.1:{port}: Connection refused; nothing was sent"


def test_digest_preview_writes_escaped_html(fixture_db, app_env, tmp_path, capsys):
    note = tmp_path / "note.md"
    note.write_text("<script>alert(1)</script> fine month", encoding="utf-8")
    out = tmp_path / "digest.html"
    assert cli.main(["digest", "preview", "--db", str(fixture_db), "--month", "2025-06", "--note", str(note),
                     "--html", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; fine month" in page and "<script>" not in page


def test_the_example_rules_file_reads(con):
    from conftest import PROJECT_DIR
    rules = alerts.read_rules(PROJECT_DIR / "alerts.example.toml")
    assert len(rules) == 4
    # 2025-06: billings 4,820 against the plan's 5,000; +23.3% on the month; take rate 45.6%; top client 47.7%
    assert [f.rule.name for f in alerts.fired(con, rules, JUNE)] == ["Billings behind plan"]


def test_the_overview_lists_the_alerts_that_hold_and_an_investor_gets_the_pdf(app_env, tmp_path, monkeypatch):
    from apptest_harness import no_exception, signed_in, through_link
    monkeypatch.setenv("EXPERTNET_ALERTS", str(rules_file(tmp_path, RULES)))
    at = signed_in().run()
    no_exception(at)
    assert "Alerts (5 of 9 rules hold)" in [s.value for s in at.subheader]
    warnings = [w.value.replace("\\", "") for w in at.warning]     # markup escaped in the page's source
    assert any(w.startswith("**Billings under 5k**: Billings (GMV) is $4,820") for w in warnings)
    rules_file(tmp_path, '[[alert]]\nname = "x"\nmetric = "nope"\nbelow = 1\n')
    at = signed_in().run()
    no_exception(at)
    assert any("The alert rules were not read" in w.value and "alerts.toml:3: unknown metric" in w.value.replace("\\", "")
               for w in at.warning)

    link, token, _ = share_links.create_link("Jane", 14, "f@example.com")
    at = through_link(token).run()
    no_exception(at)
    assert not [s for s in at.subheader if s.value.startswith("Alerts")]     # founders' rules only
    buttons = [b for b in at.get("download_button") if "update of 2025-06" in b.proto.label]
    assert len(buttons) == 1


def test_what_a_fresh_eyes_review_broke(con, fixture_db, app_env, tmp_path, capsys, monkeypatch):
    # an empty link (an unset $LINK in a cron line) is refused, never the founders' update
    assert cli.main(["report", "--db", str(fixture_db), "--month", "2025-06", "--link", "",
                     "--pdf", str(tmp_path / "u.pdf")]) == 2
    assert "the share link is empty" in capsys.readouterr().err and not (tmp_path / "u.pdf").exists()
    # a 0 is a value; a negative percentage and a direction beside `below` are refused
    rules = alerts.read_rules(rules_file(tmp_path, '[[alert]]\nname = "loss"\nmetric = "net_revenue_usd"\nbelow = 0\n'))
    assert rules[0].below == 0 and alerts.fired(con, rules, JUNE) == []          # 2025-06 net revenue is $2,200
    for wrong, says in (('change = "year_ago"\nbeyond_pct = -5', "beyond_pct must be above 0"),
                        ('below = 1\ndirection = "down"', "direction goes with change only")):
        with pytest.raises(BadInput, match=says):
            alerts.read_rules(rules_file(tmp_path, f'[[alert]]\nname = "x"\nmetric = "hours"\n{wrong}\n'))
    # a rules file someone named must be there
    with pytest.raises(BadInput, match="there is no such rules file"):
        alerts.read_rules(tmp_path / "nothere.toml")
    # __ and -- in a note are text, not a missing italic font or an underline; Chinese is drawn as ?
    data, undrawn = pdf.render_counting(update.build(con, JUNE, note="total__hours -- 中文 ok", rules=()))
    assert undrawn == 2 and "total" in pdf_text(data)[1]
    # one argument may hold several recipients; a folder is no PDF file
    assert digest.addresses(["a@example.com, Bo <b@example.com>"]) == ["a@example.com", "b@example.com"]
    with pytest.raises(BadInput, match="outside ASCII"):
        digest.addresses(["jörg@exämple.com"])
    assert cli.main(["report", "--db", str(fixture_db), "--month", "2025-06", "--pdf", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err
    # a password never crosses the network in clear
    monkeypatch.setenv("EXPERTNET_SMTP_HOST", "mail.example.com")
    monkeypatch.setenv("EXPERTNET_SMTP_PORT", "25")
    monkeypatch.setenv("EXPERTNET_SMTP_USER", "me@example.com")
    monkeypatch.setenv("EXPERTNET_SMTP_PASSWORD", "pw")
    with pytest.raises(BadInput, match="in clear"):
        digest.settings()
