"""The whole privacy desk in a real terminal, over the real sshd, as the privacy role:
a person found by part of the name, a request registered, the identity check recorded,
the bundle exported on the server and fetched with `export fetch` through sshd and
opened, restriction and lifting it, erasure confirmed by typing the id, the request
closed with its outcome."""
from __future__ import annotations

import io
import re
import zipfile

from sshd_harness import SEARCH_READY, log_in


def test_privacy_desk_from_search_to_closed_request(server, tmux):
    server.add_contacts([{"first_name": "Ingeborg", "last_name": "Skrævedal", "email": "ingeborg@skraevedal.dk",
                          "phone": "+4523232323"}])
    contact_id = server.contacts["Ingeborg Skrævedal"]
    lis = server.staff["lis"]
    pane = log_in(tmux, server, "lis")
    pane.wait_for(SEARCH_READY, timeout=30)
    pane.wait_for(r"Requests: \d+ due within 7 days")
    pane.type("Skræv")
    pane.wait_for(r"\b1 contact\b")
    assert str(contact_id) in pane.screen()  # the id is shown to the roles that handle requests
    pane.keys("Down")
    pane.type("r")
    pane.wait_for(rf"New request for Ingeborg Skrævedal \(contact id {contact_id}\)")
    pane.keys("C-s")  # access, from the person, by e-mail, received today
    screen = pane.wait_for(r"Identity: not verified yet")
    request_id = int(re.search(r"Request (\d+)", screen).group(1))

    pane.type("i")
    pane.wait_for(r"Record how you verified")
    pane.keys("Enter")  # open the choices
    pane.wait_for(r"MitID signature")
    pane.keys("Down")
    pane.keys("Enter")
    pane.wait_for(lambda s: "(none)" not in s and "MitID" in s)
    pane.keys("C-s")
    pane.wait_for(r"Identity: MitID signature, checked by lis")

    pane.type("x")
    screen = pane.wait_for(rf"export fetch {request_id} --otp <code> > person\.zip")
    command = re.search(r"ssh (\S+) export fetch (\d+) --otp <code> > person\.zip", screen)
    assert command and int(command.group(2)) == request_id
    fetched = server.ssh(lis.key, f"export fetch {request_id} --otp {lis.code()}")
    assert fetched.returncode == 0, fetched.stderr
    with zipfile.ZipFile(io.BytesIO(fetched.stdout)) as person_zip:
        data = person_zip.read(next(n for n in person_zip.namelist() if n.endswith("/data.json")))
        assert "Skrævedal" in data.decode("utf-8")
        assert any(n.endswith("/report.html") for n in person_zip.namelist())

    pane.type("t")
    pane.wait_for(r"Processing: restricted")
    pane.type("t")
    pane.wait_for(r"Processing: not restricted")

    pane.type("e")
    pane.wait_for(rf"Erase contact {contact_id}")
    pane.wait_for(r"Deleted: 1 contact")
    pane.type(str(contact_id))
    pane.keys("Enter")
    pane.wait_for(r"Status: Completed: erased: ledger entry \d+", timeout=60)
    pane.keys("Escape")
    pane.wait_for(SEARCH_READY)
    pane.keys("F2")
    pane.wait_for(r"erased: ledger entry \d+")
    out = server.python_code("""
        from store.models import Contact, DataSubjectRequest
        r = DataSubjectRequest.get_by_id(int(sys.argv[1]))
        print(r.status, r.identity_method, Contact.select().where(Contact.id == int(sys.argv[2])).count())
        """, str(request_id), str(contact_id))
    assert out.stdout.split() == ["completed", "mitid", "0"]
